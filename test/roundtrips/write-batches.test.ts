import { Types } from 'mongoose';
import { createDeliveryStore } from '../../src/outbox/store';
import { registerOutboxModels } from '../../src/outbox/model';
import { deleteInBatches } from '../../src/db/batches';
import { provisionApp, registerUser, startTestServer, userToken, type TestServer } from '../helpers/harness';

const BATCH = 5;

/**
 * Every write that touches many documents goes in slices of DB_WRITE_BATCH (an unbounded outbox
 * outcome batch once wedged FerretDB). Each path is driven past the batch and the largest write
 * command it sent is read off the driver's command monitoring: documents inserted, updates or
 * deletes in one command, or ids in one `$in`.
 */
describe('bounded writes', () => {
  let server: TestServer;
  let largest: Map<string, number>;
  const touched = (cmd: Record<string, unknown>): number => {
    const items = (cmd.documents ?? cmd.updates ?? cmd.deletes) as { q?: unknown }[] | undefined;
    let most = items?.length ?? 0;
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) return v.forEach(walk);
      if (v && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) {
          if (k === '$in' && Array.isArray(x)) most = Math.max(most, x.length);
          else walk(x);
        }
    };
    for (const i of items ?? []) walk(i.q);
    return most;
  };
  const measure = async (fn: () => Promise<unknown>) => {
    largest = new Map();
    await fn();
    return Object.fromEntries(largest);
  };

  beforeAll(async () => {
    server = await startTestServer({ DB_WRITE_BATCH: String(BATCH) });
    server.app.db.connection.getClient().on('commandStarted', (e) => {
      if (!['insert', 'update', 'delete'].includes(e.commandName) || !largest) return;
      const key = `${e.commandName} ${String(e.command[e.commandName])}`;
      largest.set(key, Math.max(largest.get(key) ?? 0, touched(e.command)));
    });
  });
  afterAll(() => server.close());

  const within = (seen: Record<string, number>, keys: string[]) => {
    for (const k of keys) expect([k, seen[k]]).toEqual([k, expect.any(Number)]);
    for (const [k, n] of Object.entries(seen)) expect([k, n <= BATCH]).toEqual([k, true]);
  };

  it('outbox enqueues, claims, outcomes and parked deliveries', async () => {
    const { deliveries, claims } = registerOutboxModels(server.app.db.connection);
    const store = createDeliveryStore(deliveries, claims);
    const appId = new Types.ObjectId().toHexString();
    const items = Array.from({ length: 12 }, (_, i) => ({
      appId,
      channel: 'WEBHOOK',
      destination: 'x',
      body: '{}',
      idempotencyKey: `k${i}`,
    }));
    const seen = await measure(async () => {
      const made = await store.enqueue(items);
      const won = await store.claim(
        made.map((m) => m.doc),
        'w',
        60_000,
      );
      // A second claimer of the same attempts loses them all; its release of stale claim rows is bounded too.
      expect(
        await store.claim(
          made.map((m) => m.doc),
          'other',
          60_000,
        ),
      ).toEqual([]);
      await store.record(won.map((d) => ({ id: d._id, attempt: d.attempts, state: 'failed' as const, dueAt: new Date() })));
      await store.setWaiting(won.map((d) => ({ doc: d, reason: 'no gateway', owned: false })));
      await store.wakeWaiting(appId, 'WEBHOOK');
    });
    expect(seen['insert deliveries']).toBe(BATCH);
    within(seen, ['insert deliveries', 'insert delivery_claims', 'delete delivery_claims', 'update deliveries']);
  });

  it('members of a dissolved group, the oldest users deleted with their tokens and contacts, a block list', async () => {
    const app = await provisionApp(server);
    const names = Array.from({ length: 12 }, (_, i) => `m${i}`);
    for (const n of ['boss', ...names]) await registerUser(server, app.token, n);
    const seen = await measure(async () => {
      const { createGroup } = await server.ok(
        `mutation($m: [UserRef!]) { createGroup(input: { name: "g", owner: { username: "boss" }, members: $m }) { groupId } }`,
        { m: names.map((username) => ({ username })) },
        app.token,
      );
      await server.ok(`mutation($g: Int!) { dissolveGroup(groupId: $g) { groupId } }`, { g: createGroup.groupId }, app.token);
      const boss = await userToken(server, app.appId, 'boss');
      await server.ok(
        `mutation($u: [UserRef!]!) { blockUsers(users: $u) { username } }`,
        { u: names.map((username) => ({ username })) },
        boss,
      );
      for (let i = 0; i < 7; i++) await userToken(server, app.appId, 'boss');
      await server.ok(`mutation { deleteOldestUsers(count: 13) { username } }`, {}, app.token);
    });
    within(seen, ['delete members', 'insert blocks', 'delete users', 'update tokens']);
  });

  it('deletes of unknown size (nonce sweeps, room windows) go a batch at a time', async () => {
    const coll = server.app.db.connection.db!.collection('batch_probe');
    await coll.insertMany(Array.from({ length: 12 }, (_, i) => ({ i, old: true })));
    const seen = await measure(async () => expect(await deleteInBatches(coll as never, { old: true })).toBe(12));
    within(seen, ['delete batch_probe']);
  });
});

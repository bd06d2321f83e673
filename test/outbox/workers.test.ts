import mongoose from 'mongoose';
import { registerOutboxModels } from '../../src/outbox/model';
import { createDeliveryStore, STALE_CLAIM_MS } from '../../src/outbox/store';
import { provisionApp, startTestServer, testDatabaseName, type TestServer } from '../helpers/harness';
import { runNode, type Spawned } from '../helpers/process';
import { startReceiver } from '../helpers/receiver';
import { OUTBOX_TEST_ENV } from './helpers';

const uri = () => process.env.TEST_MONGODB_URI!;

describe('outbox workers racing on one database', () => {
  it('claims each attempt exactly once when two stores race for the same deliveries', async () => {
    const dbName = testDatabaseName();
    const [a, b] = await Promise.all([0, 1].map(() => mongoose.createConnection(uri(), { dbName }).asPromise()));
    try {
      const [storeA, storeB] = [a!, b!].map((c) => {
        const m = registerOutboxModels(c);
        return createDeliveryStore(m.deliveries, m.claims);
      });
      const appId = new mongoose.Types.ObjectId().toHexString();
      const items = Array.from({ length: 60 }, (_, i) => ({
        appId,
        channel: 'SMS',
        destination: `+${i}`,
        body: '{}',
        idempotencyKey: `race-${i}`,
      }));
      const docs = (await storeA!.enqueue(items)).map((r) => r.doc);
      for (let round = 0; round < 3; round++) {
        const current = await storeA!.findDue(100).then((due) => (due.length ? due : docs.map((d) => ({ ...d, attempts: round }))));
        const [wonA, wonB] = await Promise.all([storeA!.claim(current, 'A', 1), storeB!.claim(current, 'B', 1)]);
        const ids = [...wonA, ...wonB].map((d) => d._id.toHexString());
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.length).toBe(current.length);
        await new Promise((r) => setTimeout(r, 5)); // leases of 1 ms run out: the next round takes the next attempt
      }
      expect(await a!.collection('delivery_claims').countDocuments()).toBe(180);
    } finally {
      await a!.dropDatabase().catch(() => undefined);
      await Promise.all([a!.close(), b!.close()]);
    }
  });

  it('releases a claim row whose claimer never moved its delivery on, so the delivery is not stranded', async () => {
    const dbName = testDatabaseName();
    const c = await mongoose.createConnection(uri(), { dbName }).asPromise();
    try {
      const m = registerOutboxModels(c);
      const store = createDeliveryStore(m.deliveries, m.claims);
      const appId = new mongoose.Types.ObjectId().toHexString();
      const doc = (await store.enqueue([{ appId, channel: 'SMS', destination: '+1', body: '{}', idempotencyKey: 'stranded' }]))[0]!.doc;
      // A claimer took attempt 1 long ago and its update of the delivery never landed.
      await c
        .collection('delivery_claims')
        .insertOne({ _id: `${doc._id.toHexString()}:1` as never, worker: 'gone', at: new Date(Date.now() - STALE_CLAIM_MS - 1_000) });
      expect(await store.claim([doc], 'A', 10_000)).toEqual([]);
      const [won] = await store.claim([doc], 'A', 10_000);
      expect({ id: won?._id.toHexString(), attempts: won?.attempts }).toEqual({ id: doc._id.toHexString(), attempts: 1 });
      // A fresh claim row (another worker's, in flight) is left alone.
      const other = (await store.enqueue([{ appId, channel: 'SMS', destination: '+2', body: '{}', idempotencyKey: 'busy' }]))[0]!.doc;
      await c.collection('delivery_claims').insertOne({ _id: `${other._id.toHexString()}:1` as never, worker: 'B', at: new Date() });
      expect(await store.claim([other], 'A', 10_000)).toEqual([]);
      expect(await store.claim([other], 'A', 10_000)).toEqual([]);
    } finally {
      await c.dropDatabase().catch(() => undefined);
      await c.close();
    }
  });

  describe('as processes', () => {
    let server: TestServer;
    let app: Awaited<ReturnType<typeof provisionApp>>;
    const workers: Spawned[] = [];

    beforeAll(async () => {
      server = await startTestServer({ ...OUTBOX_TEST_ENV, OUTBOX_WORKER: 'false' });
      app = await provisionApp(server);
    });
    afterAll(async () => {
      for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
      await server.close();
    });

    it('two `npm run worker` processes deliver each delivery once', async () => {
      // slow answers keep both workers busy at once
      const receiver = await startReceiver(() => ({ status: 200, delayMs: 30 }));
      const env = {
        ...OUTBOX_TEST_ENV,
        MONGODB_URI: uri(),
        MONGODB_DB_NAME: server.app.config.database.name,
        OUTBOX_POLL_MS: '50',
        OUTBOX_CONCURRENCY: '8',
        LOG_LEVEL: 'info',
      };
      workers.push(runNode('dist/src/worker.js', [], env), runNode('dist/src/worker.js', [], env));
      await Promise.all(workers.map((w) => w.waitFor(/outbox worker running/, 30_000)));
      await server.app.services.gateways.set(server.app.services.context({ kind: 'operator' }, server.app.http.log, 't'), app.appId, {
        channel: 'SMS',
        url: `${receiver.url}/sms`,
      });
      const n = 120;
      const enqueued = await server.app.services.outbox.enqueue(
        Array.from({ length: n }, (_, i) => ({
          appId: app.appId,
          channel: 'SMS',
          destination: `+1555${i}`,
          body: JSON.stringify({ i }),
          idempotencyKey: `two-workers-${i}`,
        })),
      );
      await receiver.waitFor(n, 30_000);
      await new Promise((r) => setTimeout(r, 500));
      const keys = receiver.received.map((r) => String(r.headers['idempotency-key']));
      expect(keys).toHaveLength(n);
      expect(new Set(keys)).toEqual(new Set(enqueued.map((d) => d.id)));
      const claims = await server.app.db.connection.collection('delivery_claims').find({}).toArray();
      const byWorker = new Map<string, number>();
      for (const c of claims) byWorker.set(String(c.worker), (byWorker.get(String(c.worker)) ?? 0) + 1);
      expect(claims).toHaveLength(n);
      expect(byWorker.size).toBe(2); // both took part
      for (const w of workers) w.child.kill('SIGTERM');
      expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);
      await receiver.close();
    });
  });
});

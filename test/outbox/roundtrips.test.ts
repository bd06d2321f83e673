import { countCommands, type CommandCounter } from '../../src/db/commands';
import { provisionApp, registerUser, sleep, startTestServer, userToken, type TestServer } from '../helpers/harness';
import { startReceiver } from '../helpers/receiver';
import { CreateWebhookDocument, DeliveriesDocument } from '../generated/documents';
import { OUTBOX_TEST_ENV, eventually } from './helpers';

const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }`;
const OUTBOX_COLLECTIONS = /deliveries|delivery_claims|webhook_subscriptions|outbox_gateways|robots/;
const outboxCommands = (c: CommandCounter) => Object.fromEntries(Object.entries(c.byName).filter(([k]) => OUTBOX_COLLECTIONS.test(k)));

// Database commands are what carries over from FerretDB to production MongoDB: pin them.
describe('outbox database commands', () => {
  let server: TestServer;
  let counter: CommandCounter;
  let alice: string;
  let app: Awaited<ReturnType<typeof provisionApp>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    // no periodic scan inside the counted windows: new work is handed over in memory
    server = await startTestServer({ ...OUTBOX_TEST_ENV, OUTBOX_POLL_MS: '600000' });
    app = await provisionApp(server);
    receiver = await startReceiver();
    for (const u of ['alice', 'bob']) await registerUser(server, app.token, u);
    alice = await userToken(server, app.appId, 'alice');
    await server.ok(SEND, { i: { to: { username: 'bob' }, type: 'TEXT', text: 'warm-up' } }, alice);
    await sleep(200);
    counter = countCommands(server.app.db.connection);
  });
  // Every delivery so far has its outcome written (its state is read back), so that no write of an
  // earlier attempt lands in the window counted next, however slowly a busy machine writes it.
  const outcomesWritten = (n: number) =>
    eventually(
      async () => {
        const { deliveries } = await server.ok(DeliveriesDocument, { first: n }, app.token);
        return deliveries.nodes.length === n && deliveries.nodes.every((d) => d.state === 'DELIVERED') ? true : undefined;
      },
      15_000,
      `${n} outcomes written`,
    );

  afterAll(async () => {
    counter.stop();
    await server.close();
    await receiver.close();
  });

  it('costs a send nothing when the app has no webhook subscriptions and no robots', async () => {
    counter.reset();
    await server.ok(SEND, { i: { to: { username: 'bob' }, type: 'TEXT', text: 'quiet' } }, alice);
    await sleep(300);
    expect(outboxCommands(counter)).toEqual({});
  });

  it('delivers a webhook in two commands: the insert that takes attempt 1, and the outcome', async () => {
    await server.ok(CreateWebhookDocument, { input: { url: `${receiver.url}/h`, eventTypes: ['message.created'] } }, app.token);
    await server.ok(SEND, { i: { to: { username: 'bob' }, type: 'TEXT', text: 'warms the subscription cache' } }, alice);
    await receiver.waitFor(1);
    await outcomesWritten(1);

    counter.reset();
    await server.ok(SEND, { i: { to: { username: 'bob' }, type: 'TEXT', text: 'counted' } }, alice);
    await receiver.waitFor(2);
    await eventually(async () => (counter.byName['update deliveries'] === 1 ? true : undefined), 5_000, 'the outcome write');
    await sleep(200);
    expect(outboxCommands(counter)).toEqual({ 'insert deliveries': 1, 'update deliveries': 1 });
    counter.reset();
    const { deliveries } = await server.ok(DeliveriesDocument, { first: 5 }, app.token);
    expect(deliveries.nodes.map((d) => d.state)).toEqual(['DELIVERED', 'DELIVERED']);
  });

  it('enqueues the deliveries of one event for several subscriptions in one command', async () => {
    await server.ok(CreateWebhookDocument, { input: { url: `${receiver.url}/h2`, eventTypes: ['message.created'] } }, app.token);
    await server.ok(CreateWebhookDocument, { input: { url: `${receiver.url}/h3`, eventTypes: ['message.created'] } }, app.token);
    await server.ok(SEND, { i: { to: { username: 'bob' }, type: 'TEXT', text: 'warm again' } }, alice);
    await receiver.waitFor(5);
    await outcomesWritten(5);
    counter.reset();
    await server.ok(SEND, { i: { to: { username: 'bob' }, type: 'TEXT', text: 'three at once' } }, alice);
    await receiver.waitFor(8);
    await outcomesWritten(8);
    const c = outboxCommands(counter);
    expect(c['insert deliveries']).toBe(1);
    // no claims for work taken at enqueueing; outcomes are written as they come, batched while a write is under way
    expect(c['insert delivery_claims']).toBeUndefined();
    expect(c['update deliveries']).toBeLessThanOrEqual(3);
  });
});

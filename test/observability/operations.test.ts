import { OUTBOX_TEST_ENV, eventually } from '../outbox/helpers';
import { errorCode, OPERATOR_TOKEN, startTestServer, type TestServer } from '../helpers/harness';
import { startReceiver } from '../helpers/receiver';
import { easemobClient, type EasemobClient } from '../vendors/easemob/helpers';

const DELIVERIES = `query($s: [DeliveryState!]) { deliveries(states: $s) { nodes { id state lastError { status } } } }`;

// The operator's GraphQL view behind the console: figures, app counts, endpoints' last delivery, discard.
describe('operator operations', () => {
  let server: TestServer;
  let em: EasemobClient;
  let other: EasemobClient;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    server = await startTestServer({ ...OUTBOX_TEST_ENV, OUTBOX_MAX_ATTEMPTS: '1', CONSOLE_ENABLED: 'true' });
    receiver = await startReceiver(() => ({ status: 500 }));
    em = await easemobClient(server);
    other = await easemobClient(server);
    await server.ok(
      `mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { id } }`,
      { i: { url: `${receiver.url}/hook`, eventTypes: ['message.created'] } },
      em.app.token,
    );
    for (const u of ['alice', 'bob'])
      await em.call('POST', '/users', { contentType: 'application/json', body: { username: u, password: `pw-${u}` } });
    await em.call('POST', '/messages/users', { body: { from: 'alice', to: ['bob'], type: 'txt', body: { msg: 'one' } } });
  });
  afterAll(async () => {
    await server.close();
    await receiver.close();
  });

  it('shows the figures and every app with its counts to the operator only', async () => {
    for (const token of [em.app.token, undefined]) {
      expect(errorCode(await server.gql('{ serverFigures { requests } }', {}, token))).toMatch(/FORBIDDEN|UNAUTHENTICATED/);
      expect(errorCode(await server.gql('{ appOverview { users } }', {}, token))).toMatch(/FORBIDDEN|UNAUTHENTICATED/);
    }
    const { serverFigures: f } = await server.ok(
      '{ serverFigures { recording messagesSent requests surfaces { surface requests } } }',
      {},
      OPERATOR_TOKEN,
    );
    expect(f.recording).toBe(true);
    expect(f.messagesSent).toBeGreaterThanOrEqual(1);
    expect(f.surfaces.find((s: { surface: string }) => s.surface === 'easemob').requests).toBeGreaterThanOrEqual(4);
    const { appOverview } = await server.ok('{ appOverview { app { id } users conversations messages } }', {}, OPERATOR_TOKEN);
    expect(appOverview.find((a: { app: { id: string } }) => a.app.id === em.app.appId)).toEqual({
      app: { id: em.app.appId },
      users: 2,
      conversations: 1,
      messages: 1,
    });
    expect(appOverview.find((a: { app: { id: string } }) => a.app.id === other.app.appId)).toMatchObject({ users: 0, messages: 0 });
    expect(errorCode(await server.gql('{ appOverview(first: 0) { users } }', {}, OPERATOR_TOKEN))).toBe('INVALID_INPUT');
  });

  it('gives each webhook its last delivery, and lets its app (or the operator) discard a dead one, not another app', async () => {
    const dead = await eventually(async () => {
      const { deliveries } = await server.ok(DELIVERIES, { s: ['DEAD'] }, em.app.token);
      return deliveries.nodes[0];
    });
    expect(dead.lastError.status).toBe(500);
    const { webhookSubscriptions } = await server.ok('{ webhookSubscriptions { lastDelivery { id state } } }', {}, em.app.token);
    expect(webhookSubscriptions[0].lastDelivery).toEqual({ id: dead.id, state: 'DEAD' });

    const discard = `mutation($id: ID!) { discardDelivery(id: $id) }`;
    expect(errorCode(await server.gql(discard, { id: dead.id }, other.app.token))).toBe('NOT_FOUND');
    expect(await server.ok(discard, { id: dead.id }, em.app.token)).toEqual({ discardDelivery: true });
    expect(errorCode(await server.gql(discard, { id: dead.id }, OPERATOR_TOKEN))).toBe('NOT_FOUND');
    const { deliveries } = await server.ok(DELIVERIES, { s: ['DEAD'] }, em.app.token);
    expect(deliveries.nodes).toEqual([]);
  });

  it('lists recent errors by surface', async () => {
    await em.call('GET', '/users/nobody-at-all');
    const { recentErrors } = await server.ok(
      `{ recentErrors(surface: "easemob", first: 5) { surface operation code } }`,
      {},
      OPERATOR_TOKEN,
    );
    expect(recentErrors[0]).toEqual({ surface: 'easemob', operation: 'GET /easemob/:org_name/:app_name/users/:username', code: '404' });
  });
});

import { freePort } from '../../src/db/probe';
import { provisionApp, registerUser, startTestServer, userToken, type TestServer } from '../helpers/harness';
import { listening, subscribe } from '../helpers/live';

// REDIS_URL names a Redis that is not there: the instance starts degraded and serves its own sockets.
describe('Redis away', () => {
  let server: TestServer;
  let required: TestServer;
  beforeAll(async () => {
    const redis = `redis://127.0.0.1:${await freePort()}`;
    server = await startTestServer({ REDIS_URL: redis });
    required = await startTestServer({ REDIS_URL: redis, REDIS_REQUIRED: 'true' });
  });
  afterAll(async () => {
    await server.close();
    await required.close();
  });

  it('reports degraded in /readyz (200, or 503 with REDIS_REQUIRED)', async () => {
    const res = await fetch(`${server.url}/readyz`);
    expect([res.status, await res.json()]).toEqual([200, { status: 'degraded', database: 'up', redis: 'down' }]);
    expect((await fetch(`${required.url}/readyz`)).status).toBe(503);
  });

  it('still delivers live messages to its own subscribers', async () => {
    const app = await provisionApp(server);
    await registerUser(server, app.token, 'solo');
    const token = await userToken(server, app.appId, 'solo');
    const live = await listening(server, () => subscribe(server.wsUrl, token, 'subscription { messageAdded { text } }'));
    const { openSystemConversation } = await server.ok(`mutation { openSystemConversation { id } }`, {}, token);
    await server.ok(
      `mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }`,
      { i: { conversationId: openSystemConversation.id, type: 'SYSTEM', text: 'local' } },
      app.token,
    );
    expect((await live.waitFor(1, 5_000)).map((m) => m.data.messageAdded.text)).toEqual(['local']);
    await live.close();
  });
});

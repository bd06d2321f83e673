import type WebSocket from 'ws';
import { provisionApp, registerUser, startTestServer, userToken, wsHandshake, type TestServer } from '../helpers/harness';
import { eventually } from '../outbox/helpers';

const HEAVY = `query($c: ID!) { messages(conversationId: $c, first: 50) { nodes { id text sender { username nickname } } } }`;
const code = (body: any) => body.errors?.[0]?.extensions?.code;

/** Every answer about `ids` on the socket (the first message for each). */
function answers(socket: WebSocket, ids: string[]): Promise<Map<string, any>> {
  const got = new Map<string, any>();
  return new Promise((resolve) => {
    socket.on('message', (d) => {
      const m = JSON.parse(String(d));
      if (ids.includes(m.id) && !got.has(m.id)) got.set(m.id, m);
      if (got.size === ids.length) resolve(got);
    });
  });
}

// Heavy operations take turns (GRAPHQL_HEAVY_*): one at a time here, none waiting.
describe('heavy operations take turns', () => {
  let server: TestServer;
  let token: string;
  let conversationId: string;
  beforeAll(async () => {
    server = await startTestServer({ GRAPHQL_HEAVY_COST: '100', GRAPHQL_HEAVY_CONCURRENCY: '1', GRAPHQL_HEAVY_QUEUE: '0' });
    const app = await provisionApp(server);
    await registerUser(server, app.token, 'heavy');
    token = await userToken(server, app.appId, 'heavy');
    const { createGroup } = await server.ok(`mutation { createGroup(input: { name: "g" }) { conversation { id } } }`, {}, token);
    conversationId = createGroup.conversation.id;
  });
  afterAll(() => server.close());

  it('refuses heavy queries beyond the gate with 503 UNAVAILABLE and Retry-After; cheap ones never wait', async () => {
    const heavy = Array.from({ length: 8 }, () => server.gql(HEAVY, { c: conversationId }, token));
    const cheap = Array.from({ length: 8 }, () => server.gql('{ me { username } }', {}, token));
    const [h, c] = [await Promise.all(heavy), await Promise.all(cheap)];
    const busy = h.filter((r) => r.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy[0]!.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAVAILABLE', reason: 'busy' });
    expect(busy[0]!.headers.get('retry-after')).toBe('1');
    expect(h.filter((r) => r.status === 200 && !r.body.errors).length).toBeGreaterThan(0);
    expect(c.every((r) => r.status === 200 && !r.body.errors)).toBe(true);
    // Every turn was given back: one heavy query alone goes through.
    expect((await server.gql(HEAVY, { c: conversationId }, token)).status).toBe(200);
  });

  it('applies the same gate to queries over graphql-ws, and gives turns back', async () => {
    const { socket } = await wsHandshake(server.wsUrl, { authorization: `Bearer ${token}` });
    const ids = ['1', '2', '3', '4', '5', '6'];
    const got = answers(socket, ids);
    for (const id of ids)
      socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: HEAVY, variables: { c: conversationId } } }));
    const all = [...(await got).values()];
    expect(all.filter((m) => m.type === 'error').map((m) => m.payload[0].extensions.code)).toContain('UNAVAILABLE');
    expect(all.some((m) => m.type === 'next' && !m.payload.errors)).toBe(true);
    socket.close();
    // The turns come back as the socket's operations end: a heavy query then goes through.
    const after = await eventually(
      async () => {
        const res = await server.gql(HEAVY, { c: conversationId }, token);
        return res.status === 200 ? res : undefined;
      },
      10_000,
      'a turn given back',
    );
    expect(code(after.body)).toBeUndefined();
  });
});

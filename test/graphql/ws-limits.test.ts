import type WebSocket from 'ws';
import { provisionApp, registerUser, startTestServer, userToken, wsHandshake, type TestServer } from '../helpers/harness';

const SUB = 'subscription { messageAdded { id } }';

/** Messages the socket receives from now on. */
function collect(socket: WebSocket) {
  const got: any[] = [];
  socket.on('message', (d) => got.push(JSON.parse(String(d))));
  return got;
}
const until = async (check: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

// graphql-ws limits: the size of one message and the operations one socket may hold.
describe('graphql-ws limits', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer({ GRAPHQL_WS_MAX_PAYLOAD_BYTES: '2048', GRAPHQL_WS_MAX_SUBSCRIPTIONS: '3' });
    const app = await provisionApp(server);
    await registerUser(server, app.token, 'wsl');
    token = await userToken(server, app.appId, 'wsl');
  });
  afterAll(() => server.close());

  it('closes a socket whose message exceeds GRAPHQL_WS_MAX_PAYLOAD_BYTES (1009), before executing it', async () => {
    const { ack, socket } = await wsHandshake(server.wsUrl, { authorization: `Bearer ${token}` });
    expect(ack).toBe(true);
    const closed = new Promise<number>((r) => socket.on('close', (code) => r(code)));
    const aliases = Array.from({ length: 400 }, (_, i) => `a${i}: __typename`).join(' ');
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `query { ${aliases} }` } }));
    expect(await closed).toBe(1009);
  });

  it('refuses operations beyond GRAPHQL_WS_MAX_SUBSCRIPTIONS with TOO_MANY_SUBSCRIPTIONS, and frees a slot when one completes', async () => {
    const { socket } = await wsHandshake(server.wsUrl, { authorization: `Bearer ${token}` });
    const got = collect(socket);
    for (const id of ['1', '2', '3', '4']) socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: SUB } }));
    await until(() => got.some((m) => m.id === '4'));
    const refused = got.find((m) => m.id === '4');
    expect(refused).toMatchObject({ type: 'error', payload: [{ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: 3 } }] });
    expect(got.filter((m) => m.type === 'error' && m.id !== '4')).toEqual([]);
    socket.send(JSON.stringify({ id: '2', type: 'complete' }));
    await new Promise((r) => setTimeout(r, 200));
    socket.send(JSON.stringify({ id: '5', type: 'subscribe', payload: { query: SUB } }));
    await new Promise((r) => setTimeout(r, 500));
    expect(got.find((m) => m.id === '5')).toBeUndefined(); // accepted: a live subscription says nothing yet
    // an operation that fails validation does not keep its slot
    socket.send(JSON.stringify({ id: '5', type: 'complete' }));
    await new Promise((r) => setTimeout(r, 200));
    socket.send(JSON.stringify({ id: '6', type: 'subscribe', payload: { query: 'subscription { nope }' } }));
    await until(() => got.some((m) => m.id === '6'));
    expect(got.find((m) => m.id === '6')).toMatchObject({ type: 'error', payload: [{ message: expect.stringMatching(/nope/) }] });
    socket.send(JSON.stringify({ id: '7', type: 'subscribe', payload: { query: SUB } }));
    socket.send(JSON.stringify({ id: '8', type: 'subscribe', payload: { query: SUB } }));
    await until(() => got.some((m) => m.id === '8'));
    expect(got.find((m) => m.id === '7')).toBeUndefined();
    expect(got.find((m) => m.id === '8')).toMatchObject({ type: 'error', payload: [{ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } }] });
    socket.close();
  });

  it('holds one socket to GRAPHQL_WS_SUBSCRIBE_RATE after its burst: replacing operations in a loop gets RATE_LIMITED', async () => {
    const { socket } = await wsHandshake(server.wsUrl, { authorization: `Bearer ${token}` });
    const got = collect(socket);
    // Queries end by themselves and free their slot; the budget (burst 10 here) is spent all the same.
    for (let i = 1; i <= 12; i++)
      socket.send(JSON.stringify({ id: String(i), type: 'subscribe', payload: { query: '{ me { username } }' } }));
    await until(() => got.some((m) => m.id === '12'));
    const limited = got.filter((m) => m.type === 'error' && m.payload[0].extensions.code === 'RATE_LIMITED').map((m) => m.id);
    expect(limited).toEqual(['11', '12']);
    expect(got.find((m) => m.id === '12').payload[0].extensions.retryAfterSeconds).toBe(1);
    // Not read while the budget refills: an operation sent now is answered only after it.
    const t = Date.now();
    socket.send(JSON.stringify({ id: '13', type: 'subscribe', payload: { query: '{ me { username } }' } }));
    await until(() => got.some((m) => m.id === '13'));
    expect(got.find((m) => m.id === '13')).toMatchObject({ type: 'next', payload: { data: { me: { username: 'wsl' } } } });
    expect(Date.now() - t).toBeGreaterThanOrEqual(500);
    socket.close();
  });
});

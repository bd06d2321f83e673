import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { appToken, provisionApp, registerUser, startTestServer, userToken, wsHandshake, type TestServer } from '../helpers/harness';

describe('graphql-ws authentication', () => {
  let server: TestServer;
  let app: Awaited<ReturnType<typeof provisionApp>>;
  beforeAll(async () => {
    server = await startTestServer();
    app = await provisionApp(server, 'ws-app');
    await registerUser(server, app.token, 'wsuser');
  });
  afterAll(() => server.close());

  it.each([
    ['no payload', undefined],
    ['no authorization', {}],
    ['an unknown token', { authorization: 'Bearer not-a-real-token' }],
    ['a malformed header', { authorization: 'Token abc' }],
  ])('refuses a connection with %s (close 4403)', async (_what, payload) => {
    const result = await wsHandshake(server.wsUrl, payload);
    expect(result).toMatchObject({ ack: false, code: 4403 });
  });

  it('refuses an expired token and a revoked one', async () => {
    const revoked = await appToken(server, app);
    await server.ok(`mutation { revokeToken }`, {}, revoked);
    expect(await wsHandshake(server.wsUrl, { authorization: `Bearer ${revoked}` })).toMatchObject({ ack: false, code: 4403 });
  });

  it('refuses a subprotocol other than graphql-transport-ws', async () => {
    const code = await new Promise<number>((resolve) => {
      const socket = new WebSocket(server.wsUrl, 'graphql-ws');
      socket.on('close', (c) => resolve(c));
      socket.on('error', () => resolve(-1));
    });
    expect([4406, -1, 1002]).toContain(code);
  });

  it('accepts a valid user token and runs operations as that user', async () => {
    const token = await userToken(server, app.appId, 'wsuser');
    const client = createClient({
      url: server.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    try {
      const result = await new Promise<unknown>((resolve, reject) => {
        let value: unknown;
        client.subscribe(
          { query: '{ viewer { kind user { username } } }' },
          {
            next: (v) => (value = v),
            error: reject,
            complete: () => resolve(value),
          },
        );
      });
      expect(result).toEqual({ data: { viewer: { kind: 'USER', user: { username: 'wsuser' } } } });
    } finally {
      await client.dispose();
    }
  });

  it('formats domain errors over the socket like over HTTP', async () => {
    const { socket, ack } = await wsHandshake(server.wsUrl, { authorization: `Bearer ${app.token}` });
    expect(ack).toBe(true);
    const message = await new Promise<any>((resolve) => {
      socket.on('message', (data) => {
        const msg = JSON.parse(String(data));
        if (msg.type === 'next') resolve(msg.payload);
      });
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ user(ref: { username: "ghost" }) { id } }' } }));
    });
    socket.close();
    expect(message.errors[0]).toMatchObject({ message: 'user not found', extensions: { code: 'NOT_FOUND' } });
    expect(JSON.stringify(message)).not.toMatch(/stack|at \//);
  });

  it("closes a user's sockets when the user is deactivated, and refuses new ones", async () => {
    await registerUser(server, app.token, 'wsgone');
    const token = await userToken(server, app.appId, 'wsgone');
    const { socket, ack } = await wsHandshake(server.wsUrl, { authorization: `Bearer ${token}` });
    expect(ack).toBe(true);
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    await server.ok(`mutation { deactivateUser(user: { username: "wsgone" }) { id } }`, {}, app.token);
    expect(await closed).toBe(4403);
    expect(await wsHandshake(server.wsUrl, { authorization: `Bearer ${token}` })).toMatchObject({ ack: false, code: 4403 });
  });
});

import { startTestServer, type TestServer } from '../../helpers/harness';
import { expectGbError, expectOk, gobelieveClient } from './helpers';

describe('GoBelieve auth and user settings', () => {
  let server: TestServer;
  let gb: Awaited<ReturnType<typeof gobelieveClient>>;

  beforeAll(async () => {
    server = await startTestServer({ GOBELIEVE_PORT: '0' });
    gb = await gobelieveClient(server);
  });
  afterAll(() => server.close());

  it('grants a permanent token for uid (the user named "42"), each grant valid, and the token works on GraphQL', async () => {
    const first = expectOk(await gb.call('POST', '/auth/grant', { uid: 42, user_name: 'Forty-two' }));
    const second = expectOk(await gb.call('POST', '/auth/grant', { uid: '42' }));
    expect(first.token).toEqual(expect.any(String));
    expect(second.token).not.toBe(first.token);
    for (const token of [first.token, second.token]) {
      const { me } = await server.ok(`query { me { username nickname } }`, {}, token);
      expect(me).toEqual({ username: '42', nickname: 'Forty-two' });
    }
  });

  it('refuses bad server credentials with 401 and bad input with 400, in the meta envelope', async () => {
    const wrong = `Basic ${Buffer.from(`${gb.app.gobelieve.appId}:${'0'.repeat(32)}`).toString('base64')}`;
    expectGbError(await gb.call('POST', '/auth/grant', { uid: 1 }, { auth: wrong }), 401);
    expectGbError(await gb.call('POST', '/auth/grant', { uid: 1 }, { auth: null }), 401);
    expectGbError(await gb.call('POST', '/auth/grant', { uid: 1 }, { auth: 'Basic !!!' }), 401);
    expectGbError(await gb.call('POST', '/auth/grant', { uid: 1 }, { auth: `Bearer x` }), 401);
    expectGbError(await gb.call('POST', '/auth/grant', { uid: 'abc' }), 400);
    expectGbError(await gb.call('POST', '/auth/grant', { uid: -1 }), 400);
    expectGbError(await gb.call('POST', '/auth/grant', { uid: 2 ** 53 }), 400);
    expectGbError(await gb.call('POST', '/auth/grant', {}), 400);
    expectGbError(await gb.call('POST', '/auth/grant', undefined, { raw: '{"uid":' }), 400);
    expectGbError(await gb.call('GET', '/no/such/path'), 404);
  });

  it('sets name, per-peer do-not-disturb, mute and forbidden; a forbidden user cannot send on any surface', async () => {
    expectOk(await gb.call('POST', '/users/7', { name: 'Seven', do_not_disturb: { peer_uid: 8, on: true }, mute: true }));
    const { user } = await server.ok(
      `query { user(ref: { username: "7" }) { nickname forbidden notificationSettings { muted doNotDisturbPeers { username } } } }`,
      {},
      gb.app.token,
    );
    expect(user).toEqual({
      nickname: 'Seven',
      forbidden: false,
      notificationSettings: { muted: true, doNotDisturbPeers: [{ username: '8' }] },
    });
    expectOk(await gb.call('POST', '/users/7', { do_not_disturb: { peer_uid: '8', on: false } }));
    expectGbError(await gb.call('POST', '/users/7', {}), 400);
    expectGbError(await gb.call('POST', '/users/7', { mute: 'yes' }), 400);

    expectOk(await gb.call('POST', '/users/7', { forbidden: 1 }));
    expectGbError(await gb.call('POST', '/messages/peers', { sender: 7, receiver: 8, content: 'hi' }), 400);
    const token = expectOk(await gb.call('POST', '/auth/grant', { uid: 7 })).token;
    const res = await server.gql(`mutation { sendMessage(input: { to: { username: "8" }, type: TEXT, text: "hi" }) { id } }`, {}, token);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expectOk(await gb.call('POST', '/users/7', { forbidden: false }));
    expectOk(await gb.call('POST', '/messages/peers', { sender: 7, receiver: 8, content: 'hi' }));
  });

  it('serves the same API at the root of GOBELIEVE_PORT', async () => {
    const { port } = server.app.adapterServers.gobelieve!.server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/auth/grant`, {
      method: 'POST',
      headers: { authorization: gb.basic, 'content-type': 'application/json' },
      body: JSON.stringify({ uid: 42 }),
    });
    expect(res.status).toBe(200);
    const { me } = await server.ok(`query { me { username } }`, {}, ((await res.json()) as any).data.token);
    expect(me).toEqual({ username: '42' });
  });

  it('binds and unbinds each of the seven device-token kinds', async () => {
    const kinds = ['apns', 'pushkit', 'xg', 'xm', 'hw', 'gcm', 'jp'];
    const body = Object.fromEntries(kinds.map((k) => [`${k}_device_token`, `${k}-token`]));
    expectOk(await gb.call('POST', '/users/9/bind', body));
    const tokens = async () =>
      (await server.ok(`query { user(ref: { username: "9" }) { deviceTokens { provider token } } }`, {}, gb.app.token)).user.deviceTokens;
    expect((await tokens()).map((t: any) => t.token).sort()).toEqual(kinds.map((k) => `${k}-token`).sort());
    // a stale token leaves the current binding alone
    expectOk(await gb.call('POST', '/users/9/unbind', { apns_device_token: 'old-token', xg_device_token: 'xg-token' }));
    expect((await tokens()).map((t: any) => t.provider).sort()).toEqual(['APNS', 'GCM', 'HW', 'JP', 'PUSHKIT', 'XM']);
    expectGbError(await gb.call('POST', '/users/9/bind', {}), 400);
    expectGbError(await gb.call('POST', '/users/9/bind', { apns_device_token: 5 }), 400);
  });
});

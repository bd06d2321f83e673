import { errorCode, OPERATOR_TOKEN, provisionApp, registerUser, startTestServer, userToken, type TestServer } from '../helpers/harness';
import { easemobClient } from '../vendors/easemob/helpers';

/** A token is good for the surface and the scope it was issued for, and a revoked one stays revoked. */
describe('tokens', () => {
  let server: TestServer;
  let app: Awaited<ReturnType<typeof provisionApp>>;

  beforeAll(async () => {
    server = await startTestServer();
    app = await provisionApp(server);
    await registerUser(server, app.token, 'alice');
  });
  afterAll(() => server.close());

  it('does not take an MCG provider token (scope "services tokeninfo") as an app token anywhere else', async () => {
    const grant = await fetch(`${server.url}/mcg/mcg/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.mcg.clientId, client_secret: app.mcg.clientSecret }),
    });
    const provider = ((await grant.json()) as { access_token: string }).access_token;
    const em = await easemobClient(server);
    const onOwnApp = await fetch(`${server.url}/easemob/${app.easemob.orgName}/${app.easemob.appName}/users`, {
      headers: { authorization: `Bearer ${provider}` },
    });
    expect(onOwnApp.status).toBe(401);
    expect((await em.call('GET', '/users', { token: provider })).status).toBe(401);
    expect(errorCode(await server.gql(`{ users(first: 1) { edges { node { id } } } }`, {}, provider))).toBe('UNAUTHENTICATED');
    // it still does what it was issued for
    const info = await fetch(`${server.url}/mcg/mcg/v1/tokeninfo`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${provider}` },
      body: new URLSearchParams({ token: app.token }),
    });
    expect(info.status).toBe(200);
  });

  it('keeps a deactivated user’s tokens revoked after the user is activated again', async () => {
    const old = await userToken(server, app.appId, 'alice');
    await server.ok(`{ viewer { kind } }`, {}, old);
    await server.ok(`mutation { deactivateUser(user: { username: "alice" }) { id } }`, {}, app.token);
    await server.ok(`mutation { activateUser(user: { username: "alice" }) { id } }`, {}, app.token);
    expect(errorCode(await server.gql(`{ viewer { kind } }`, {}, old))).toBe('UNAUTHENTICATED');
    const fresh = await userToken(server, app.appId, 'alice');
    expect((await server.ok(`{ viewer { kind } }`, {}, fresh)).viewer.kind).toBe('USER');
  });

  it('refuses revokeToken(token: null) instead of revoking the caller’s own token', async () => {
    const mine = await userToken(server, app.appId, 'alice');
    const res = await server.gql(`mutation { revokeToken(token: null) }`, {}, mine);
    expect(errorCode(res)).toBe('INVALID_INPUT');
    expect((await server.ok(`{ viewer { kind } }`, {}, mine)).viewer.kind).toBe('USER');
  });
});

describe('the subgraph schema in production', () => {
  let server: TestServer;
  const GATEWAY = 'gateway-token-0123456789abcdefghij';

  beforeAll(async () => {
    server = await startTestServer({
      NODE_ENV: 'production',
      IMBEE_PUBLIC_URL: 'https://chat.example.com',
      GRAPHQL_FEDERATION: 'true',
      GRAPHQL_GATEWAY_TOKEN: GATEWAY,
    });
  });
  afterAll(() => server.close());

  it('serves _service { sdl } to the gateway and the operator only', async () => {
    const app = await provisionApp(server);
    expect(errorCode(await server.gql(`{ _service { sdl } }`))).toBe('UNAUTHENTICATED');
    expect(errorCode(await server.gql(`{ _service { sdl } }`, {}, app.token))).toBe('FORBIDDEN');
    for (const token of [GATEWAY, OPERATOR_TOKEN]) {
      const { _service } = await server.ok(`{ _service { sdl } }`, {}, token);
      expect(_service.sdl).toContain('type Conversation');
    }
  });
});

import crypto from 'node:crypto';
import { provisionApp, registerUser, startTestServer, userToken, type TestServer } from '../../helpers/harness';

type App = Awaited<ReturnType<typeof provisionApp>>;

interface Res {
  status: number;
  text: string;
  body: any;
  headers: Headers;
}

async function post(url: string, form: Record<string, string> | string, headers: Record<string, string> = {}): Promise<Res> {
  const body = typeof form === 'string' ? form : new URLSearchParams(form).toString();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

/** Basic client authentication as common OAuth clients send it: both parts form-URL-encoded first. */
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('MCG token grant and RFC 7662 introspection', () => {
  let server: TestServer;
  let app: App;
  let other: App;
  let base: string;
  let providerToken: string;

  beforeAll(async () => {
    server = await startTestServer();
    base = `${server.url}/mcg/mcg/v1`;
    app = await provisionApp(server);
    other = await provisionApp(server);
    await registerUser(server, app.token, 'alice');
    const grant = await post(
      `${base}/token`,
      { grant_type: 'client_credentials' },
      { authorization: basic(app.mcg.clientId, app.mcg.clientSecret) },
    );
    expect(grant.status).toBe(200);
    providerToken = grant.body.access_token;
  });
  afterAll(() => server.close());

  it('grants a signed JWT to a provider, with no-store caching and OAuth errors', async () => {
    const grant = await post(`${base}/token`, {
      grant_type: 'client_credentials',
      client_id: app.mcg.clientId,
      client_secret: app.mcg.clientSecret,
    });
    expect(grant.status).toBe(200);
    expect(grant.headers.get('cache-control')).toBe('no-store');
    expect(grant.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600, scope: expect.any(String) });
    const [header, payload] = grant.body.access_token
      .split('.')
      .slice(0, 2)
      .map((p: string) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    expect(header).toMatchObject({ alg: 'HS256', typ: 'JWT', kid: expect.any(String) });
    expect(payload).toMatchObject({ iss: 'imfacade', sub: app.mcg.clientId, client_id: app.mcg.clientId, aud: app.appId });

    const bad = await post(`${base}/token`, { grant_type: 'client_credentials' }, { authorization: basic(app.mcg.clientId, 'wrong') });
    expect({ status: bad.status, error: bad.body.error }).toEqual({ status: 401, error: 'invalid_client' });
    expect(bad.headers.get('www-authenticate')).toMatch(/Basic/);
    const grantType = await post(
      `${base}/token`,
      { grant_type: 'password' },
      { authorization: basic(app.mcg.clientId, app.mcg.clientSecret) },
    );
    expect({ status: grantType.status, error: grantType.body.error }).toEqual({ status: 400, error: 'unsupported_grant_type' });
    const get = await fetch(`${base}/token`);
    expect({ status: get.status, allow: get.headers.get('allow') }).toEqual({ status: 405, allow: 'POST' });
  });

  it('authenticates the caller by provider token, Basic (URL-decoded) or form credentials, else 401 with WWW-Authenticate', async () => {
    const alice = await userToken(server, app.appId, 'alice');
    const forms: [Record<string, string>, Record<string, string>][] = [
      [{ token: alice }, { authorization: `Bearer ${providerToken}` }],
      [{ token: alice }, { authorization: basic(app.mcg.clientId, app.mcg.clientSecret) }],
      [{ token: alice, client_id: app.mcg.clientId, client_secret: app.mcg.clientSecret }, {}],
    ];
    for (const [form, headers] of forms) {
      const res = await post(`${base}/tokeninfo`, form, headers);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body).toMatchObject({
        active: true,
        username: 'alice',
        token_type: 'Bearer',
        iat: expect.any(Number),
        exp: expect.any(Number),
      });
    }
    const refusals: Record<string, string>[] = [
      {},
      { authorization: 'Bearer not-a-provider-token' },
      { authorization: basic(app.mcg.clientId, 'nope') },
      { authorization: `Bearer ${alice}` },
    ];
    for (const headers of refusals) {
      const res = await post(`${base}/tokeninfo`, { token: alice }, headers);
      expect({ status: res.status, error: res.body.error }).toEqual({ status: 401, error: 'invalid_client' });
      expect(res.headers.get('www-authenticate')).toBeTruthy();
    }
    const missing = await post(`${base}/tokeninfo`, {}, { authorization: `Bearer ${providerToken}` });
    expect({ status: missing.status, error: missing.body.error }).toEqual({ status: 400, error: 'invalid_request' });
    const repeated = await post(`${base}/tokeninfo`, `token=a&token=b`, { authorization: `Bearer ${providerToken}` });
    expect(repeated.status).toBe(400);
  });

  it('answers byte-identical {"active":false} for unknown, expired, revoked, other-app and forged tokens', async () => {
    const auth = { authorization: `Bearer ${providerToken}` };
    const shortLived = await userToken(server, app.appId, 'alice', 'secret-pass', 1);
    const revoked = await userToken(server, app.appId, 'alice');
    await server.ok(`mutation($t: String) { revokeToken(token: $t) }`, { t: revoked }, app.token);
    const [h, p] = providerToken.split('.');
    const forged = `${h}.${p}.${crypto.randomBytes(32).toString('base64url')}`;
    await new Promise((r) => setTimeout(r, 1_100));
    for (const token of ['unknown-token', shortLived, revoked, other.token, forged]) {
      const res = await post(`${base}/tokeninfo`, { token, token_type_hint: 'access_token' }, auth);
      expect({ status: res.status, text: res.text }).toEqual({ status: 200, text: '{"active":false}' });
    }
  });

  it('introspects every kind of token of the app: Easemob app and user tokens, GoBelieve grants, MCG JWTs, whatever the hint', async () => {
    const auth = { authorization: basic(app.mcg.clientId, app.mcg.clientSecret) };
    const md5 = crypto.createHash('md5').update(app.gobelieve.appSecret).digest('hex');
    const grant = await fetch(`${server.url}/gobelieve/auth/grant`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${app.gobelieve.appId}:${md5}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ uid: 77 }),
    });
    const gobelieve = ((await grant.json()) as any).data.token;
    const em = await fetch(`${server.url}/easemob/${app.easemob.orgName}/${app.easemob.appName}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: app.easemob.clientId, client_secret: app.easemob.clientSecret }),
    });
    const easemobApp = ((await em.json()) as any).access_token;

    const gb = (await post(`${base}/tokeninfo`, { token: gobelieve, token_type_hint: 'refresh_token' }, auth)).body;
    expect(gb).toMatchObject({ active: true, username: '77', token_type: 'Bearer', scope: 'user' });
    expect(gb.exp).toBeUndefined(); // permanent
    expect((await post(`${base}/tokeninfo`, { token: easemobApp }, auth)).body).toMatchObject({
      active: true,
      scope: 'app',
      exp: expect.any(Number),
    });
    const self = (await post(`${base}/tokeninfo`, { token: providerToken }, auth)).body;
    expect(self).toEqual({
      active: true,
      token_type: 'Bearer',
      scope: expect.any(String),
      client_id: app.mcg.clientId,
      sub: app.mcg.clientId,
      aud: app.appId,
      iss: 'imfacade',
      jti: expect.any(String),
      iat: expect.any(Number),
      nbf: expect.any(Number),
      exp: expect.any(Number),
    });
    // another app's provider learns nothing about this app's tokens
    const foreign = await post(
      `${base}/tokeninfo`,
      { token: providerToken },
      { authorization: basic(other.mcg.clientId, other.mcg.clientSecret) },
    );
    expect(foreign.text).toBe('{"active":false}');
  });

  it('serves the same API at the root of MCG_PORT (/mcg/v1/tokeninfo)', async () => {
    const own = await startTestServer({ MCG_PORT: '0', MONGODB_DB_NAME: server.app.db.connection.name });
    try {
      const { port } = own.app.adapterServers.mcg!.server.address() as { port: number };
      const res = await post(
        `http://127.0.0.1:${port}/mcg/v1/tokeninfo`,
        { token: providerToken },
        { authorization: `Bearer ${providerToken}` },
      );
      expect(res.body).toMatchObject({ active: true, client_id: app.mcg.clientId });
    } finally {
      await own.app.close();
    }
  });
});

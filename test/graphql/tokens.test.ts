import {
  appToken,
  errorCode,
  OPERATOR_TOKEN,
  provisionApp,
  registerUser,
  sleep,
  startTestServer,
  userToken,
  type TestServer,
} from '../helpers/harness';

const VIEWER = `{ viewer { kind tokenExpiresAt app { id name } user { id username } } }`;

describe('tokens', () => {
  let server: TestServer;
  let app: Awaited<ReturnType<typeof provisionApp>>;
  beforeAll(async () => {
    server = await startTestServer();
    app = await provisionApp(server, 'tokens-app');
    await registerUser(server, app.token, 'Alice', 'alice-pass');
  });
  afterAll(() => server.close());

  it('issues an app token from client credentials with expiresIn', async () => {
    const { createAppToken } = await server.ok(
      `mutation($i: AppTokenInput!) { createAppToken(input: $i) { accessToken tokenType expiresIn expiresAt app { id } user { id } } }`,
      { i: { clientId: app.easemob.clientId, clientSecret: app.easemob.clientSecret, expiresIn: 3600 } },
    );
    expect(createAppToken).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600, app: { id: app.appId }, user: null });
    expect(createAppToken.accessToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const expiresAt = Date.parse(createAppToken.expiresAt);
    expect(Math.abs(expiresAt - (Date.now() + 3600_000))).toBeLessThan(60_000);
    const { viewer } = await server.ok(VIEWER, {}, createAppToken.accessToken);
    expect(viewer).toMatchObject({ kind: 'APP', app: { id: app.appId, name: 'tokens-app' }, user: null });
  });

  it('refuses wrong client credentials and bad expiresIn', async () => {
    const wrong = await server.gql(
      `mutation { createAppToken(input: { clientId: "${app.easemob.clientId}", clientSecret: "nope" }) { accessToken } }`,
    );
    expect(errorCode(wrong)).toBe('UNAUTHENTICATED');
    for (const expiresIn of [0, -5, 400_000_000]) {
      const res = await server.gql(`mutation($i: AppTokenInput!) { createAppToken(input: $i) { accessToken } }`, {
        i: { clientId: app.easemob.clientId, clientSecret: app.easemob.clientSecret, expiresIn },
      });
      expect(errorCode(res)).toBe('INVALID_INPUT');
      expect(res.body.errors![0]!.extensions!.field).toBe('expiresIn');
    }
  });

  it('issues a user token from username (any case) and password', async () => {
    const token = await userToken(server, app.appId, 'alice', 'alice-pass');
    const { viewer } = await server.ok(VIEWER, {}, token);
    expect(viewer).toMatchObject({ kind: 'USER', user: { username: 'Alice' }, app: { id: app.appId } });
    const { me } = await server.ok(`{ me { username } }`, {}, token);
    expect(me).toEqual({ username: 'Alice' });
  });

  it('refuses a wrong password, an unknown user and an unknown app alike', async () => {
    const q = `mutation($i: UserTokenInput!) { createUserToken(input: $i) { accessToken } }`;
    for (const i of [
      { appId: app.appId, username: 'Alice', password: 'wrong' },
      { appId: app.appId, username: 'nobody', password: 'alice-pass' },
      { appId: '0123456789abcdef01234567', username: 'Alice', password: 'alice-pass' },
      { appId: 'not-an-id', username: 'Alice', password: 'alice-pass' },
    ]) {
      const res = await server.gql(q, { i });
      expect(errorCode(res)).toBe('UNAUTHENTICATED');
      expect(res.body.errors![0]!.message).toBe('invalid username or password');
    }
  });

  it('lets a token expire', async () => {
    const token = await appToken(server, app, 1);
    expect((await server.gql(VIEWER, {}, token)).status).toBe(200);
    await sleep(1_200);
    const res = await server.gql(VIEWER, {}, token);
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
  });

  it('revokes the presented token, and an app revokes a user token of its app', async () => {
    const own = await appToken(server, app);
    expect(await server.ok(`mutation { revokeToken }`, {}, own)).toEqual({ revokeToken: true });
    expect((await server.gql(VIEWER, {}, own)).status).toBe(401);

    const userTok = await userToken(server, app.appId, 'Alice', 'alice-pass');
    await server.ok(`mutation($t: String) { revokeToken(token: $t) }`, { t: userTok }, app.token);
    expect(errorCode(await server.gql(VIEWER, {}, userTok))).toBe('UNAUTHENTICATED');
  });

  it('does not let a user revoke another token, nor anyone revoke an unknown one', async () => {
    const a = await userToken(server, app.appId, 'Alice', 'alice-pass');
    const res = await server.gql(`mutation($t: String) { revokeToken(token: $t) }`, { t: app.token }, a);
    expect(errorCode(res)).toBe('NOT_FOUND');
    expect(errorCode(await server.gql(`mutation { revokeToken(token: "unknown") }`, {}, app.token))).toBe('NOT_FOUND');
    expect(errorCode(await server.gql(`mutation { revokeToken }`))).toBe('UNAUTHENTICATED');
    expect((await server.gql(VIEWER, {}, app.token)).status).toBe(200);
  });

  it('answers 401 for garbage and malformed authorization headers', async () => {
    for (const header of ['Bearer not-a-token', 'Basic abc', 'Bearer']) {
      const res = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: header },
        body: JSON.stringify({ query: '{ viewer { kind } }' }),
      });
      expect(res.status).toBe(401);
      const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  it('treats the operator token as operator, not as an app', async () => {
    const { viewer } = await server.ok(VIEWER, {}, OPERATOR_TOKEN);
    expect(viewer).toEqual({ kind: 'OPERATOR', tokenExpiresAt: null, app: null, user: null });
    expect(errorCode(await server.gql(`{ users { nodes { id } } }`, {}, OPERATOR_TOKEN))).toBe('UNAUTHENTICATED');
  });
});

describe('cross-app isolation', () => {
  let server: TestServer;
  let a: Awaited<ReturnType<typeof provisionApp>>;
  let b: Awaited<ReturnType<typeof provisionApp>>;
  let bob: { id: string };
  beforeAll(async () => {
    server = await startTestServer();
    a = await provisionApp(server, 'app-a');
    b = await provisionApp(server, 'app-b');
    bob = await registerUser(server, b.token, 'bob');
    await registerUser(server, a.token, 'alice');
  });
  afterAll(() => server.close());

  it("never shows another app's users, by id or by username: not found, not forbidden", async () => {
    for (const ref of [{ id: bob.id }, { username: 'bob' }]) {
      const res = await server.gql(`query($r: UserRef!) { user(ref: $r) { id } }`, { r: ref }, a.token);
      expect(errorCode(res)).toBe('NOT_FOUND');
    }
    const { users } = await server.ok(`{ users(first: 100) { nodes { username } } }`, {}, a.token);
    expect(users.nodes).toEqual([{ username: 'alice' }]);
  });

  it("cannot change, deactivate or delete another app's user", async () => {
    const ref = { id: bob.id };
    for (const [q, v] of [
      [`mutation($u: UserRef!) { deactivateUser(user: $u) { id } }`, { u: ref }],
      [`mutation($u: UserRef!) { deleteUser(user: $u) { id } }`, { u: ref }],
      [`mutation($u: UserRef) { updateUserProfile(user: $u, input: { nickname: "x" }) { id } }`, { u: ref }],
      [`mutation($u: UserRef) { changePassword(user: $u, input: { newPassword: "x" }) { id } }`, { u: ref }],
    ] as const) {
      expect(errorCode(await server.gql(q, v, a.token))).toBe('NOT_FOUND');
    }
    const { user } = await server.ok(`query($r: UserRef!) { user(ref: $r) { username activated nickname } }`, { r: ref }, b.token);
    expect(user).toEqual({ username: 'bob', activated: true, nickname: null });
  });

  it("does not show another app's app record, and an app cannot log a user into another app", async () => {
    expect(errorCode(await server.gql(`query($id: ID!) { app(id: $id) { id } }`, { id: b.appId }, a.token))).toBe('NOT_FOUND');
    const res = await server.gql(`mutation($i: UserTokenInput!) { createUserToken(input: $i) { accessToken } }`, {
      i: { appId: a.appId, username: 'bob', password: 'secret-pass' },
    });
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
  });

  it("cannot revoke another app's token", async () => {
    const res = await server.gql(`mutation($t: String) { revokeToken(token: $t) }`, { t: b.token }, a.token);
    expect(errorCode(res)).toBe('NOT_FOUND');
  });
});

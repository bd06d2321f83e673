import { CREDENTIALS, errorCode, OPERATOR_TOKEN, provisionApp, startTestServer, type TestServer } from '../helpers/harness';

describe('app provisioning over GraphQL (operator)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('creates an app with credentials for every vendor surface, secrets shown once', async () => {
    const app = await provisionApp(server, 'Acme Chat!');
    expect(app).toMatchObject({
      name: 'Acme Chat!',
      easemob: { orgName: 'imfacade', appName: 'acmechat', clientId: expect.stringMatching(/^YXA6/), clientSecret: expect.any(String) },
      gobelieve: { appId: expect.any(Number), appSecret: expect.any(String) },
      imbee: { authToken: expect.any(String), corporateKey: expect.any(String) },
      mcg: { clientId: expect.any(String), clientSecret: expect.any(String), providerId: expect.any(Number) },
    });
    const { apps } = await server.ok(
      `{ apps { id name openRegistration easemob { appName clientId } gobelieve { appId } mcg { providerId } } }`,
      {},
      OPERATOR_TOKEN,
    );
    expect(apps).toContainEqual({
      id: app.appId,
      name: 'Acme Chat!',
      openRegistration: false,
      easemob: { appName: 'acmechat', clientId: app.easemob.clientId },
      gobelieve: { appId: app.gobelieve.appId },
      mcg: { providerId: app.mcg.providerId },
    });
    expect(JSON.stringify(apps)).not.toContain(app.easemob.clientSecret);
  });

  it('allocates distinct integer GoBelieve app ids and MCG provider ids', async () => {
    const made = await Promise.all(['p-one', 'p-two', 'p-three'].map((n) => provisionApp(server, n)));
    expect(new Set(made.map((a) => a.gobelieve.appId)).size).toBe(3);
    expect(new Set(made.map((a) => a.mcg.providerId)).size).toBe(3);
    for (const a of made) expect(Number.isInteger(a.gobelieve.appId)).toBe(true);
  });

  it('refuses duplicate names (ignoring case) and bad names', async () => {
    await provisionApp(server, 'Unique');
    const q = `mutation($n: String!) { createApp(input: { name: $n }) { appId } }`;
    expect(errorCode(await server.gql(q, { n: 'UNIQUE' }, OPERATOR_TOKEN))).toBe('CONFLICT');
    for (const n of ['', '   ', '!!!', 'x'.repeat(65)]) {
      expect(errorCode(await server.gql(q, { n }, OPERATOR_TOKEN))).toBe('INVALID_INPUT');
    }
  });

  it('rotates secrets: old ones stop working, client ids stay', async () => {
    const app = await provisionApp(server, 'rotating');
    const { rotateAppSecret } = await server.ok(
      `mutation($id: ID!) { rotateAppSecret(appId: $id, vendors: [EASEMOB]) { ${CREDENTIALS} } }`,
      { id: app.appId },
      OPERATOR_TOKEN,
    );
    expect(rotateAppSecret.easemob.clientId).toBe(app.easemob.clientId);
    expect(rotateAppSecret.easemob.clientSecret).not.toBe(app.easemob.clientSecret);
    expect(rotateAppSecret.gobelieve.appSecret).toBeNull();
    const token = (secret: string) =>
      server.gql(`mutation($i: AppTokenInput!) { createAppToken(input: $i) { accessToken } }`, {
        i: { clientId: app.easemob.clientId, clientSecret: secret },
      });
    expect(errorCode(await token(app.easemob.clientSecret))).toBe('UNAUTHENTICATED');
    expect((await token(rotateAppSecret.easemob.clientSecret)).body.errors).toBeUndefined();
    const missing = await server.gql(`mutation { rotateAppSecret(appId: "0123456789abcdef01234567") { appId } }`, {}, OPERATOR_TOKEN);
    expect(errorCode(missing)).toBe('NOT_FOUND');
  });

  it('keeps app management to the operator', async () => {
    const app = await provisionApp(server, 'not-operator');
    const create = `mutation { createApp(input: { name: "sneaky" }) { appId } }`;
    expect(errorCode(await server.gql(create))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(create, {}, app.token))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(`{ apps { id } }`, {}, app.token))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(`mutation($id: ID!) { rotateAppSecret(appId: $id) { appId } }`, { id: app.appId }, app.token))).toBe(
      'FORBIDDEN',
    );
    const { app: own } = await server.ok(`query($id: ID!) { app(id: $id) { name } }`, { id: app.appId }, app.token);
    expect(own).toEqual({ name: 'not-operator' });
  });
});

describe('operator GraphQL without OPERATOR_TOKEN configured', () => {
  it('has no operator: the would-be token is just an unknown token', async () => {
    const server = await startTestServer({ OPERATOR_TOKEN: '' });
    try {
      const res = await server.gql(`{ apps { id } }`, {}, OPERATOR_TOKEN);
      expect(res.status).toBe(401);
    } finally {
      await server.close();
    }
  });
});

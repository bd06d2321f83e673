import crypto from 'node:crypto';
import { countCommands, type CommandCounter } from '../../src/db/commands';
import { passwordVerifications } from '../../src/users/password';
import { provisionApp, registerUser, sleep, startTestServer, type TestServer } from '../helpers/harness';

const LOGIN = `mutation($i: UserTokenInput!) { createUserToken(input: $i) { accessToken } }`;
const code = (res: { body: { errors?: { extensions?: Record<string, unknown> }[] } }) => res.body.errors?.[0]?.extensions?.code;

describe('login throttling', () => {
  let server: TestServer;
  let app: Awaited<ReturnType<typeof provisionApp>>;
  beforeAll(async () => {
    server = await startTestServer({ LOGIN_FREE_FAILURES: '3', LOGIN_BACKOFF_BASE_MS: '1500' });
    app = await provisionApp(server);
    await registerUser(server, app.token, 'victim', 'right-password');
    await registerUser(server, app.token, 'bystander', 'right-password');
  });
  afterAll(() => server.close());

  const login = (username: string, password: string) => server.gql(LOGIN, { i: { appId: app.appId, username, password } });

  it('backs off after repeated failures on an account (429 RATE_LIMITED with Retry-After), even for the right password, then lets it in', async () => {
    for (let i = 0; i < 4; i++) expect(code(await login('victim', `wrong-${i}`))).toBe('UNAUTHENTICATED');
    const throttled = await login('VICTIM', 'right-password');
    expect(throttled.status).toBe(429);
    expect(throttled.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'login_throttled' });
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // another account is not affected
    expect(code(await login('bystander', 'right-password'))).toBeUndefined();
    await sleep(1_600);
    expect(code(await login('victim', 'right-password'))).toBeUndefined();
    // success cleared the count: three more failures are free again
    for (let i = 0; i < 3; i++) expect(code(await login('victim', `wrong-again-${i}`))).toBe('UNAUTHENTICATED');
  });

  it('throttles the Easemob password grant the same way', async () => {
    const grant = (password: string) =>
      fetch(`${server.url}/easemob/${app.easemob.orgName}/${app.easemob.appName}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'password', username: 'bystander', password }),
      });
    for (let i = 0; i < 4; i++) expect((await grant(`nope-${i}`)).status).toBe(400);
    const res = await grant('right-password');
    expect(res.status).toBe(429);
    expect(((await res.json()) as any).error).toBe('reach_limit');
  });
});

describe('no user or app enumeration by timing', () => {
  let server: TestServer;
  let app: Awaited<ReturnType<typeof provisionApp>>;
  let counter: CommandCounter;
  beforeAll(async () => {
    server = await startTestServer({ LOGIN_FREE_FAILURES: '1000', OUTBOX_WORKER: 'false' });
    app = await provisionApp(server);
    await registerUser(server, app.token, 'known', 'right-password');
    counter = countCommands(server.app.db.connection);
  });
  afterAll(async () => {
    counter.stop();
    await server.close();
  });

  // Timing is what an attacker measures, but asserting on it is noisy on shared machines; the work
  // behind it is not: every failed login does one Argon2 verification (the ~all of its cost) and
  // looks the user up, whether the app, the user or only the password is wrong.
  it('does the same work for an unknown app, an unknown user and a wrong password: one Argon2 verify, one user lookup', async () => {
    const work = async (appId: string, username: string) => {
      await server.gql(LOGIN, { i: { appId, username, password: 'warm-up' } });
      counter.reset();
      const before = passwordVerifications();
      const res = await server.gql(LOGIN, { i: { appId, username, password: 'wrong-password' } });
      expect(code(res)).toBe('UNAUTHENTICATED');
      expect(res.body.errors?.[0]?.message).toBe('invalid username or password');
      return { verifications: passwordVerifications() - before, userLookups: counter.byName['find users'] ?? 0 };
    };
    const unknownApp = crypto.randomBytes(12).toString('hex');
    const expected = { verifications: 1, userLookups: 1 };
    expect(await work(app.appId, 'known')).toEqual(expected);
    expect(await work(app.appId, 'nobody')).toEqual(expected);
    expect(await work(unknownApp, 'known')).toEqual(expected);
  });
});

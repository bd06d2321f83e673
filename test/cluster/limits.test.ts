import { provisionApp, registerUser, userToken } from '../helpers/harness';
import { clusterEnv, startInstance, type Instance } from '../helpers/cluster';

const LOGIN = `mutation($i: UserTokenInput!) { createUserToken(input: $i) { accessToken } }`;
const code = (res: { body: any }) => res.body.errors?.[0]?.extensions?.code as string | undefined;

// Limits hold for the deployment: a client spreading its calls over two instances gets no more.
describe('rate limits and login throttles shared through Redis', () => {
  let a: Instance;
  let b: Instance;
  beforeAll(async () => {
    const env = clusterEnv({ GRAPHQL_RATE_LIMIT: '10', LOGIN_FREE_FAILURES: '3', LOGIN_BACKOFF_BASE_MS: '5000' });
    [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('gives a principal one budget across instances', async () => {
    const app = await provisionApp(a.server, 'limits');
    await registerUser(a.server, app.token, 'busy');
    const user = await userToken(a.server, app.appId, 'busy');
    // 20 calls at once, half on each instance: alone, each instance would let its 10 through (20 in
    // all); shared, 10 pass plus what refills while the burst lasts (10/s). A burst slowed down by
    // a busy machine proves nothing (the refill hides the difference): it is tried again.
    for (let attempt = 0; ; attempt++) {
      await new Promise((r) => setTimeout(r, 1_100)); // a full bucket (10, one second's worth)
      const t = Date.now();
      const calls = Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).server.gql(`{ me { username } }`, {}, user));
      const statuses = (await Promise.all(calls)).map((r) => r.status);
      const seconds = (Date.now() - t) / 1000;
      if (seconds > 0.5 && attempt < 4) continue;
      const ok = statuses.filter((s) => s === 200).length;
      expect(statuses.filter((s) => s === 429)).toHaveLength(20 - ok);
      expect(ok).toBeGreaterThanOrEqual(10);
      expect(ok).toBeLessThanOrEqual(10 + Math.ceil(10 * seconds) + 1);
      break;
    }
  });

  it('throttles password guessing spread over both instances like guessing on one', async () => {
    const app = await provisionApp(a.server, 'guessing');
    await registerUser(a.server, app.token, 'target', 'right-password');
    const login = (i: Instance, password: string) => i.server.gql(LOGIN, { i: { appId: app.appId, username: 'target', password } });
    // Two failures on each: four in all, one more than the three free ones.
    for (let i = 0; i < 2; i++) {
      expect(code(await login(a, `wrong-a${i}`))).toBe('UNAUTHENTICATED');
      expect(code(await login(b, `wrong-b${i}`))).toBe('UNAUTHENTICATED');
    }
    for (const i of [a, b]) {
      const refused = await login(i, 'right-password');
      expect(refused.status).toBe(429);
      expect(refused.body.errors?.[0]?.extensions?.reason).toBe('login_throttled');
    }
  });
});

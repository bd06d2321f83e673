import crypto from 'node:crypto';
import { provisionApp, registerUser, sleep, startTestServer, userToken, type TestServer } from '../helpers/harness';

const ME = '{ me { username } }';

// Rate limits on /graphql: per principal, and per client address for calls without a known-good token.
describe('GraphQL rate limits', () => {
  let server: TestServer;
  let app: Awaited<ReturnType<typeof provisionApp>>;
  beforeAll(async () => {
    server = await startTestServer({ GRAPHQL_RATE_LIMIT: '5', ANONYMOUS_RATE_LIMIT: '5' });
    app = await provisionApp(server);
    await registerUser(server, app.token, 'rl');
  });
  afterAll(() => server.close());

  it('slows a token scanner down with 429 RATE_LIMITED and Retry-After, without touching the app budget', async () => {
    await sleep(1100);
    const statuses: number[] = [];
    let limited;
    for (let i = 0; i < 30; i++) {
      const res = await server.gql(ME, {}, crypto.randomBytes(16).toString('hex'));
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(15);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    expect(limited!.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // the app's own calls are on its own budget
    expect((await server.gql('{ users(first: 1) { nodes { id } } }', {}, app.token)).status).toBe(200);
  });

  it('limits one principal by its own budget', async () => {
    await sleep(1100);
    const token = await userToken(server, app.appId, 'rl');
    await sleep(1100);
    let res;
    for (let i = 0; i < 50 && res?.status !== 429; i++) res = await server.gql(ME, {}, token);
    expect(res!.status).toBe(429);
    expect(res!.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    // another principal is not affected
    expect((await server.gql('{ users(first: 1) { nodes { id } } }', {}, app.token)).status).toBe(200);
  });
});

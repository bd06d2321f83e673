import { startTestServer, testClock, type TestServer } from '../../helpers/harness';
import { easemobClient, expectEasemobError } from './helpers';

// Rate limits come after authentication: junk traffic spends its own address's budget, never an app's.
describe('easemob adapter: rate limits under anonymous junk traffic', () => {
  let server: TestServer;
  const clock = testClock();
  beforeAll(async () => {
    server = await startTestServer({ EASEMOB_RATE_LIMIT: '20', ANONYMOUS_RATE_LIMIT: '5' }, undefined, { clock });
  });
  afterAll(() => server.close());

  it("keeps an app's genuine calls at 200 while junk from the same address is refused", async () => {
    const em = await easemobClient(server);
    clock.advance(1100); // the token grant spent anonymous budget: refill it
    const junk = (i: number) =>
      i % 3 === 0
        ? em.call('GET', '/users?limit=1', { token: `forged-token-${i}` })
        : i % 3 === 1
          ? em.call('GET', '/users?limit=1', { token: null })
          : fetch(`${server.url}/easemob/${em.orgName}/nosuchapp${i}/users`).then(async (r) => ({
              status: r.status,
              body: await r.json(),
              headers: r.headers,
            }));
    const genuine: number[] = [];
    let junkStatuses: number[] = [];
    // One second: ten genuine calls (half the app's rate) among 300 junk ones.
    for (let round = 0; round < 10; round++) {
      const [mine, ...theirs] = await Promise.all([
        em.call('GET', '/users?limit=1'),
        ...Array.from({ length: 30 }, (_, i) => junk(round * 30 + i)),
      ]);
      genuine.push(mine.status);
      junkStatuses = junkStatuses.concat(theirs.map((r) => r.status));
      clock.advance(100);
    }
    expect(genuine).toEqual(Array(10).fill(200));
    const limited = junkStatuses.filter((s) => s === 429).length;
    expect(limited).toBeGreaterThan(junkStatuses.length / 2);
    expect(junkStatuses.every((s) => s === 401 || s === 404 || s === 429)).toBe(true);
  });

  it('answers a refused anonymous caller in the Easemob shape with Retry-After', async () => {
    clock.advance(1100); // let the previous test's junk budget refill
    const em = await easemobClient(server);
    // Until refused: a slow machine refills the budget (5/s) while the calls run, so no fixed count is right.
    let last = await em.call('GET', '/users?limit=1', { token: 'still-forged' });
    for (let i = 0; i < 500 && last.status !== 429; i++) last = await em.call('GET', '/users?limit=1', { token: 'still-forged' });
    expectEasemobError(last, 429, 'reach_limit');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // The app's own budget is untouched.
    expect((await em.call('GET', '/users?limit=1')).status).toBe(200);
  });
});

describe('easemob adapter: a valid token does not buy unlimited anonymous calls', () => {
  let server: TestServer;
  const clock = testClock();
  beforeAll(async () => {
    server = await startTestServer({ EASEMOB_RATE_LIMIT: '0', ANONYMOUS_RATE_LIMIT: '3' }, undefined, { clock });
  });
  afterAll(() => server.close());

  it('password grants sent with some valid token still spend the address budget', async () => {
    const em = await easemobClient(server);
    await em.call('POST', '/users', { body: { username: 'victim', password: 'right-pw' } });
    clock.advance(1100);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await em.call('POST', '/token', {
        contentType: 'application/json',
        body: { grant_type: 'password', username: 'victim', password: `guess-${i}` },
      });
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(4);
  });
});

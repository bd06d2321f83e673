import crypto from 'node:crypto';
import { provisionApp, registerUser, sleep, startTestServer, testClock, userToken, wsHandshake, type TestServer } from '../helpers/harness';

const ME = '{ me { username } }';

// Rate limits on /graphql: per principal, and per client address for calls without a known-good token.
describe('GraphQL rate limits', () => {
  let server: TestServer;
  const clock = testClock();
  let app: Awaited<ReturnType<typeof provisionApp>>;
  beforeAll(async () => {
    // Refusals answered at once here; the tarpit has its own tests below.
    server = await startTestServer({ GRAPHQL_RATE_LIMIT: '5', ANONYMOUS_RATE_LIMIT: '5', ANONYMOUS_TARPIT_MAX: '0' }, undefined, { clock });
    app = await provisionApp(server);
    await registerUser(server, app.token, 'rl');
  });
  afterAll(() => server.close());

  it('slows a token scanner down with 429 RATE_LIMITED and Retry-After, without touching the app budget', async () => {
    clock.advance(1100);
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
    clock.advance(1100);
    const token = await userToken(server, app.appId, 'rl');
    clock.advance(1100);
    let res;
    for (let i = 0; i < 50 && res?.status !== 429; i++) res = await server.gql(ME, {}, token);
    expect(res!.status).toBe(429);
    expect(res!.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    // another principal is not affected
    expect((await server.gql('{ users(first: 1) { nodes { id } } }', {}, app.token)).status).toBe(200);
  });

  it('spends the same budget on graphql-ws subscribes: subscribing too fast gets RATE_LIMITED', async () => {
    await registerUser(server, app.token, 'churner');
    const token = await userToken(server, app.appId, 'churner');
    clock.advance(1100);
    const { socket } = await wsHandshake(server.wsUrl, { authorization: `Bearer ${token}` });
    const got: any[] = [];
    socket.on('message', (d) => got.push(JSON.parse(String(d))));
    for (let i = 1; i <= 8; i++)
      socket.send(JSON.stringify({ id: String(i), type: 'subscribe', payload: { query: 'subscription { messageAdded { id } }' } }));
    const end = Date.now() + 5_000;
    while (!got.some((m) => m.type === 'error') && Date.now() < end) await sleep(20);
    const refused = got.find((m) => m.type === 'error');
    expect(refused).toMatchObject({ payload: [{ extensions: { code: 'RATE_LIMITED' } }] });
    expect(refused.payload[0].extensions.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // the socket stays open: the client may retry later
    expect(socket.readyState).toBe(socket.OPEN);
    socket.close();
  });
});

// A failed authentication costs ANONYMOUS_FAILURE_COST anonymous requests, and an address that
// failed recently gets its refusals late (the tarpit), on GraphQL and the adapters alike.
describe('token scanners', () => {
  let server: TestServer;
  const clock = testClock();
  let app: Awaited<ReturnType<typeof provisionApp>>;
  let bystander: string;
  beforeAll(async () => {
    server = await startTestServer({ ANONYMOUS_RATE_LIMIT: '10', ANONYMOUS_FAILURE_COST: '5' }, undefined, { clock });
    app = await provisionApp(server);
    await registerUser(server, app.token, 'bystander');
    bystander = await userToken(server, app.appId, 'bystander');
  });
  afterAll(() => server.close());

  it('gets two guesses out of a budget of ten, then late 429s, while known tokens are served at once', async () => {
    clock.advance(1100);
    const guess = async () => {
      const t = Date.now();
      const res = await server.gql(ME, {}, crypto.randomBytes(16).toString('hex'));
      return {
        status: res.status,
        ms: Date.now() - t,
        retryAfter: res.headers.get('retry-after'),
        code: res.body.errors?.[0]?.extensions?.code,
      };
    };
    expect((await guess()).status).toBe(401);
    expect((await guess()).status).toBe(401);
    const held = await guess();
    expect(held).toMatchObject({ status: 429, code: 'RATE_LIMITED', retryAfter: '1' });
    expect(held.ms).toBeGreaterThanOrEqual(900);
    // A token known good costs no anonymous budget and is never held.
    const t = Date.now();
    expect((await server.gql(ME, {}, bystander)).status).toBe(200);
    expect(Date.now() - t).toBeLessThan(900);
    // The Easemob adapter charges failures the same way and holds its refusals too.
    const emGuess = async () => {
      const t0 = Date.now();
      const res = await fetch(`${server.url}/easemob/${app.easemob.orgName}/${app.easemob.appName}/users/bystander`, {
        headers: { authorization: `Bearer ${crypto.randomBytes(16).toString('hex')}` },
      });
      return { status: res.status, ms: Date.now() - t0 };
    };
    const em = [await emGuess(), await emGuess(), await emGuess()];
    expect(em.map((r) => r.status)).toEqual([401, 401, 429]);
    expect(em[2]!.ms).toBeGreaterThanOrEqual(900);
  });
});

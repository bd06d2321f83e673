import { provisionApp, startTestServer, type TestServer } from '../../helpers/harness';

// MCG callers authenticate with client credentials or a provider JWT, never with the bearer tokens
// the anonymous gate knows: once proven, they pass the gate as known callers do elsewhere, while a
// caller with credentials never proven still spends the address's anonymous budget.
describe('MCG callers known by their proven credentials', () => {
  let server: TestServer;
  let app: Awaited<ReturnType<typeof provisionApp>>;
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  const introspect = (authorization: string, token: string) =>
    fetch(`${server.url}/mcg/mcg/v1/tokeninfo`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
      body: new URLSearchParams({ token }).toString(),
    }).then((r) => r.status);

  beforeAll(async () => {
    server = await startTestServer({ ANONYMOUS_RATE_LIMIT: '3', ANONYMOUS_TARPIT_MAX: '0', ANONYMOUS_FAILURE_COST: '1' });
    app = await provisionApp(server);
  });
  afterAll(() => server.close());

  it('lets a proven client through while strangers on its address have spent the anonymous budget', async () => {
    const good = basic(app.mcg.clientId, app.mcg.clientSecret);
    expect(await introspect(good, 'not-a-token')).toBe(200);
    const grant = await fetch(`${server.url}/mcg/mcg/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: good },
      body: 'grant_type=client_credentials',
    });
    const provider = `Bearer ${((await grant.json()) as { access_token: string }).access_token}`;
    expect(await introspect(provider, 'not-a-token')).toBe(200);
    // Guesses from the same address (behind one NAT, say) use up its budget...
    const strangers: number[] = [];
    for (let i = 0; i < 20; i++) strangers.push(await introspect(basic('nobody', 'nothing'), 'not-a-token'));
    expect(strangers.at(-1)).toBe(429);
    // ...and the proven client still gets through, with the Basic credentials or its provider token.
    expect(await introspect(good, 'not-a-token')).toBe(200);
    expect(await introspect(provider, 'not-a-token')).toBe(200);
  });
});

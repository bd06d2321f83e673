import crypto from 'node:crypto';
import WebSocket from 'ws';
import { provisionApp, startTestServer, type TestServer } from '../helpers/harness';
import { signedHeaders } from '../vendors/wildfire/helpers';

/**
 * A guess at a secret costs its address ANONYMOUS_FAILURE_COST on every surface: two guesses out of
 * a budget of ten a second, then refusals. Each case comes from its own address (TRUST_PROXY), so
 * the budgets do not mix and no case waits for a refill.
 */
describe('credential guesses cost the same on every surface', () => {
  let server: TestServer;
  let app: Awaited<ReturnType<typeof provisionApp>>;
  let n = 0;
  const nextAddress = () => `203.0.113.${++n}`;

  beforeAll(async () => {
    server = await startTestServer({
      ANONYMOUS_RATE_LIMIT: '10',
      ANONYMOUS_FAILURE_COST: '5',
      ANONYMOUS_TARPIT_MAX: '0',
      TRUST_PROXY: 'true',
    });
    app = await provisionApp(server);
  });
  afterAll(() => server.close());

  const random = () => crypto.randomBytes(16).toString('hex');
  const statuses = async (guess: (from: string) => Promise<Response>) => {
    const from = nextAddress();
    const out: number[] = [];
    for (let i = 0; i < 3; i++) out.push((await guess(from)).status);
    return out;
  };
  const post = (path: string, from: string, headers: Record<string, string>, body: string, type = 'application/json') =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'x-forwarded-for': from, 'content-type': type, ...headers }, body });

  it('GoBelieve Basic credentials', async () => {
    const basic = `Basic ${Buffer.from(`${app.gobelieve.appId}:${random()}`).toString('base64')}`;
    expect(await statuses((from) => post('/gobelieve/auth/grant', from, { authorization: basic }, '{"uid":1}'))).toEqual([401, 401, 429]);
  });

  it('Easemob client_credentials (the vendor answers a wrong secret with 400)', async () => {
    const body = JSON.stringify({ grant_type: 'client_credentials', client_id: app.easemob.clientId, client_secret: random() });
    const path = `/easemob/${app.easemob.orgName}/${app.easemob.appName}/token`;
    expect(await statuses((from) => post(path, from, {}, body))).toEqual([400, 400, 429]);
  });

  it('MCG client secrets', async () => {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: app.mcg.clientId, client_secret: random() });
    const got = await statuses((from) => post('/mcg/mcg/v1/token', from, {}, form.toString(), 'application/x-www-form-urlencoded'));
    expect(got).toEqual([401, 401, 429]);
  });

  it('Imbee myAuth and keys', async () => {
    const headers = { authorization: app.imbee.authToken, 'x-woos-key': random() };
    expect(await statuses((from) => post('/imbee/token/new', from, headers, '{}'))).toEqual([401, 401, 429]);
  });

  it('Imbee web links', async () => {
    expect(await statuses((from) => post('/imbee/web/session', from, {}, JSON.stringify({ token: random() })))).toEqual([404, 404, 429]);
  });

  it('Wildfire signatures (errors travel with HTTP 200; the third is refused before its signature is checked)', async () => {
    const from = nextAddress();
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await post('/wildfire/robot/user_info', from, { ...signedHeaders('norobot', random()) }, '{"userId":"x"}');
      codes.push(((await res.json()) as { code: number }).code);
    }
    expect(codes).toEqual([244, 244, 250]);
  });

  it('graphql-ws connection_init, and the address is then refused over HTTP too', async () => {
    const from = nextAddress();
    const handshake = () =>
      new Promise<number | 'ack'>((resolve, reject) => {
        const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws', { headers: { 'x-forwarded-for': from } });
        socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${random()}` } })));
        socket.on('message', (d) => JSON.parse(String(d)).type === 'connection_ack' && (socket.close(), resolve('ack')));
        socket.on('close', (code) => resolve(code));
        socket.on('error', reject);
      });
    expect([await handshake(), await handshake(), await handshake()]).toEqual([4403, 4403, 1013]);
    const http = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
      body: JSON.stringify({ query: '{ viewer { kind } }' }),
    });
    expect(http.status).toBe(429);
  });
});

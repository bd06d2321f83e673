import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../../helpers/harness';
import { loadSdk, unloadSdk, until } from '../../helpers/easemob-sdk';
import { encode, pb } from '../../../src/vendors/easemob/msync/schema';
import { msyncUrl, msyncUsers, rawSession } from './msync-helpers';
import { countCommands } from '../../../src/db/commands';
import { scrape, sumOf } from '../../observability/helpers';

const json = { contentType: 'application/json' };
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

/** How a raw socket to the msync endpoint ended: its close code, or the HTTP status of a refused upgrade. */
function rawSocket(url: string, send?: (ws: WebSocket) => void): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.on('open', () => send?.(ws));
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('close', (code) => resolve(code));
    ws.on('error', () => undefined);
  });
}

// Refusals the way the SDK expects them, and the limits every surface has: frame size, sends per
// second per user, sockets per user, an anonymous socket's time to log in.
describe('Easemob msync: logins refused and limits kept', () => {
  let server: TestServer;
  let users: Awaited<ReturnType<typeof msyncUsers>>;
  let sdk: any;

  beforeAll(async () => {
    server = await startTestServer({
      EASEMOB_RATE_LIMIT: '0',
      EASEMOB_MSYNC_SOCKETS_PER_USER: '2',
      EASEMOB_MSYNC_SENDS_PER_SECOND: '3',
      EASEMOB_MSYNC_AUTH_TIMEOUT_MS: '300',
      EASEMOB_MSYNC_MAX_FRAME_BYTES: '4096',
      METRICS_TOKEN,
    });
    sdk = loadSdk();
    users = await msyncUsers(server, sdk, ['kim', 'lou']);
  }, 60_000);
  afterEach(() => users.closeAll());
  afterAll(async () => {
    unloadSdk();
    await server?.close();
  });

  const failedOpen = async (username: string, token: string) => {
    const c = users.client();
    const e = await c.conn.open({ user: username, accessToken: token }).then(
      () => undefined,
      (err: any) => err,
    );
    return { type: e?.type as number | undefined, heard: c.got.errors.map((x: any) => x.type) };
  };

  // First, while kim's send budget is whole (a later test spends it).
  it('refuses a target longer than any name without looking it up, and still sends to a real one', async () => {
    const raw = await rawSession(msyncUrl(server), users.appKey, 'kim', await users.tokenOf('kim'));
    const counter = countCommands(server.app.db.connection);
    try {
      const long = await raw.upload(1, 'x'.repeat(65), 'to nobody');
      expect(long.status).toEqual({ errorCode: 1, reason: 'the target does not exist' });
      expect(counter.total).toBe(0);
      const sent = await raw.upload(2, 'lou', 'to lou');
      expect(sent.status?.errorCode ?? 0).toBe(0);
    } finally {
      counter.stop();
      raw.close();
    }
  });

  it('refuses a wrong token and an expired one in the SDK’s error types', async () => {
    const wrong = await failedOpen('kim', 'YWMtnot-a-token');
    expect(wrong).toEqual({ type: sdk.statusCode.WEBIM_CONNCTION_AUTH_ERROR, heard: [sdk.statusCode.WEBIM_CONNCTION_AUTH_ERROR] });
    // Another user's valid token is no login as this one.
    expect((await failedOpen('kim', await users.tokenOf('lou'))).type).toBe(sdk.statusCode.WEBIM_CONNCTION_AUTH_ERROR);
    const grant = await users.em.call('POST', '/token', {
      token: null,
      ...json,
      body: { grant_type: 'password', username: 'kim', password: 'pw-123456', ttl: 1 },
    });
    const expiresAt = Date.now() + grant.body.expires_in * 1000;
    await until(() => Date.now() > expiresAt + 50, 'the token to expire', 5_000);
    expect((await failedOpen('kim', grant.body.access_token)).type).toBe(56); // WEBIM_TOKEN_EXPIRED
  });

  it('ends a session whose token is revoked, or whose user the app sends offline; the SDK stays out', async () => {
    const token = await users.tokenOf('kim');
    const kim = await users.online('kim', { token });
    await server.ok(`mutation($t: String) { revokeToken(token: $t) }`, { t: token }, users.em.app.token);
    await until(() => kim.got.disconnected === 1, 'the revoked session to end');
    expect(kim.got.errors.map((e: any) => e.type)).toContain(sdk.statusCode.WEBIM_CONNCTION_USER_KICKED_BY_CHANGE_PASSWORD);
    const lou = await users.online('lou');
    await server.ok(`mutation { disconnectUser(user: { username: "lou" }) { closed } }`, {}, users.em.app.token);
    await until(() => lou.got.disconnected === 1, 'the disconnected session to end');
    expect(lou.got.errors.map((e: any) => e.type)).toContain(sdk.statusCode.WEBIM_CONNCTION_USER_REMOVED);
    expect(lou.got.connected).toBe(1); // no reconnect
  });

  it('holds at most EASEMOB_MSYNC_SOCKETS_PER_USER sockets per user', async () => {
    await users.online('lou');
    await users.online('lou');
    expect((await failedOpen('lou', await users.tokenOf('lou'))).type).toBe(sdk.statusCode.USER_LOGIN_TOO_MANY_DEVICES);
  });

  it('refuses sends beyond EASEMOB_MSYNC_SENDS_PER_SECOND as traffic limit, and loses none it accepted', async () => {
    const kim = await users.online('kim');
    const lou = await users.online('lou');
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        kim.send({ type: 'txt', to: 'lou', msg: `m${i}` }).then(
          () => 'ok',
          (e: any) => e.type,
        ),
      ),
    );
    expect(outcomes.filter((o) => o === 'ok').length).toBeGreaterThanOrEqual(3);
    expect(outcomes).toContain(sdk.statusCode.MESSAGE_CURRENT_LIMITING);
    const accepted = outcomes.flatMap((o, i) => (o === 'ok' ? [`m${i}`] : []));
    await until(() => lou.got.text.length === accepted.length, 'the accepted messages');
    expect(lou.got.text.map((m: any) => m.msg).sort()).toEqual(accepted.sort());
    // Operators see the sockets, the frames handled and the refusals.
    const metrics = await scrape(`${server.url}/metrics`, METRICS_TOKEN);
    expect(sumOf(metrics, 'imfacade_adapter_sockets')).toBe(2);
    expect(sumOf(metrics, 'imfacade_requests_total', { surface: 'easemob-msync', operation: 'sync' })).toBeGreaterThanOrEqual(8);
    expect(sumOf(metrics, 'imfacade_limit_refusals_total', { limit: 'msync_sends' })).toBe(outcomes.length - accepted.length);
  });

  it('closes oversized frames (1009), junk (1007), text frames (1003) and sockets that never log in (4408); 404 elsewhere', async () => {
    const url = msyncUrl(server);
    expect(await rawSocket(url, (ws) => ws.send(Buffer.alloc(5000)))).toBe(1009);
    expect(await rawSocket(url, (ws) => ws.send(Buffer.from([0xff, 0xff, 0xff, 0xff])))).toBe(1007);
    expect(await rawSocket(url, (ws) => ws.send('{"hello":1}'))).toBe(1003);
    expect(await rawSocket(url)).toBe(4408);
    // A login whose inner message does not decode is junk too.
    expect(await rawSocket(url, (ws) => ws.send(encode(pb.MSync, { command: 3, payload: Buffer.from([0xff, 0xff, 0xff]) })))).toBe(1007);
    // A SYNC before any login is refused, not answered.
    expect(await rawSocket(url, (ws) => ws.send(encode(pb.MSync, { command: 1 })))).toBe(4401);
    expect(await rawSocket(msyncUrl(server, '/easemob/nowhere'))).toBe(404);
  });
});

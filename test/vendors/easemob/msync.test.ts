import { startTestServer, type TestServer } from '../../helpers/harness';
import { loadSdk, sdkClient, until } from '../../helpers/easemob-sdk';
import { easemobClient } from './helpers';

// Issue 33: the vendor's client SDK (easemob-websdk, unmodified, headless in Node) chats through
// the facade's msync socket, configured only by `url`, `apiUrl` and `appKey`.
describe('Easemob msync: the client SDK in Node', () => {
  let server: TestServer;
  let em: Awaited<ReturnType<typeof easemobClient>>;
  let sdk: any;
  let appKey: string;
  const clients: ReturnType<typeof sdkClient>[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    em = await easemobClient(server);
    appKey = `${em.orgName}#${em.appName}`;
    sdk = loadSdk();
    for (const username of ['ann', 'ben', 'cat']) {
      const r = await em.call('POST', '/users', { body: { username, password: 'pw-123456' }, contentType: 'application/json' });
      expect(r.status).toBe(200);
    }
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.conn.close();
    await server?.close();
  });

  const client = () => {
    const c = sdkClient(sdk, { appKey, url: `${server.wsUrl.replace(/\/graphql$/, '')}/easemob/ws`, apiUrl: `${server.url}/easemob` });
    clients.push(c);
    return c;
  };

  /** A user token from the REST password grant (the SDK in a browser does the same inside `open({ pwd })`). */
  const tokenOf = async (username: string) =>
    (
      await em.call('POST', '/token', {
        token: null,
        contentType: 'application/json',
        body: { grant_type: 'password', username, password: 'pw-123456' },
      })
    ).body.access_token as string;
  const online = async (username: string) => {
    const c = client();
    await c.conn.open({ user: username, accessToken: await tokenOf(username) });
    return c;
  };

  it('logs in with a token and exchanges text live both ways', async () => {
    const ann = await online('ann');
    const ben = await online('ben');
    expect(ann.got.connected).toBe(1);
    const sent = await ann.send({ type: 'txt', to: 'ben', msg: 'hello ben' });
    expect(sent.serverMsgId).toMatch(/^\d+$/);
    const got = await until(() => ben.got.text[0], 'ben hears ann');
    expect(got).toMatchObject({ id: sent.serverMsgId, from: 'ann', to: 'ben', msg: 'hello ben', chatType: 'singleChat' });
    await ben.send({ type: 'txt', to: 'ann', msg: 'hi ann' });
    expect(await until(() => ann.got.text[0], 'ann hears ben')).toMatchObject({ from: 'ben', msg: 'hi ann' });
  });
});

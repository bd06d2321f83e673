import type { Browser, Page } from 'playwright-core';
import { launchBrowser, servePageOrigin } from '../helpers/browser';
import { provisionApp, startTestServer, userToken, type TestServer } from '../helpers/harness';
import { listening, subscribe } from '../helpers/live';

type Sdk = 'easemob-websdk' | 'agora-chat';

// Issue 33, in the browser: the vendor's web SDKs (easemob-websdk 4.21.1 and agora-chat 1.4.0,
// as published) on a page of another origin, configured only by `url`, `apiUrl` and `appKey`:
// register, log in with a password or a token, and chat live, with a GraphQL client beside them.
describe('the Easemob web SDKs chat through the facade in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let origin: Awaited<ReturnType<typeof servePageOrigin>>;
  let appKey: string;
  let appId: string;

  beforeAll(async () => {
    origin = await servePageOrigin();
    server = await startTestServer({ CORS_ORIGINS: `http://127.0.0.1:${origin.port}`, EASEMOB_RATE_LIMIT: '0' });
    const app = await provisionApp(server, undefined, true);
    appKey = `${app.easemob.orgName}#${app.easemob.appName}`;
    appId = app.appId;
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await origin?.close();
  });

  /** A page with one SDK loaded and a `connect(user)` that records what each connection hears. */
  async function pageWith(sdk: Sdk): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${origin.port}/`);
    await page.addScriptTag({ path: require.resolve(sdk) });
    await page.evaluate(
      ({ appKey, url, apiUrl }) => {
        const w = globalThis as any;
        // agora-chat's bundle exports its namespace under `default`.
        w.sdk = w.websdk.default ?? w.websdk;
        w.sdk.logger?.disableAll?.();
        w.conns = {};
        w.got = {};
        w.connect = (user: string) => {
          const conn = new w.sdk.connection({ appKey, url, apiUrl, isHttpDNS: false });
          const got = (w.got[user] = { text: [] as any[], custom: [] as any[], image: [] as any[], errors: [] as any[] });
          conn.addEventHandler('t', {
            onTextMessage: (m: any) => got.text.push({ id: m.id, from: m.from, to: m.to, msg: m.msg, chatType: m.chatType }),
            onCustomMessage: (m: any) => got.custom.push({ id: m.id, customEvent: m.customEvent }),
            onImageMessage: (m: any) => got.image.push({ id: m.id, from: m.from, url: m.url, secret: m.secret, size: m.file_length }),
            onError: (e: any) => got.errors.push(e.type),
          });
          w.conns[user] = conn;
        };
        w.send = async (user: string, o: any) => {
          const r = await w.conns[user].send(w.sdk.message.create({ chatType: 'singleChat', ...o }));
          return r.serverMsgId;
        };
      },
      { appKey, url: `${server.url.replace(/^http/, 'ws')}/easemob/ws`, apiUrl: `${server.url}/easemob` },
    );
    return page;
  }
  const heard = (page: Page, user: string, n: number) =>
    page.waitForFunction(([u, k]) => (globalThis as any).got[u].text.length >= k, [user, n] as const, { timeout: 15_000 });
  const textsOf = (page: Page, user: string) => page.evaluate((u) => (globalThis as any).got[u].text, user);

  it('registers, logs in with a password and with a token, and chats live beside a GraphQL subscriber', async () => {
    const page = await pageWith('easemob-websdk');
    const token = await page.evaluate(async () => {
      const w = globalThis as any;
      for (const u of ['wen', 'xia']) {
        w.connect(u);
        await w.conns[u].registerUser({ username: u, password: 'pw-123456' });
      }
      await w.conns.wen.open({ user: 'wen', pwd: 'pw-123456' });
      // A token from a password login, reused as an app would store it.
      const login = await w.conns.xia.open({ user: 'xia', pwd: 'pw-123456' });
      w.conns.xia.close();
      w.connect('xia');
      await w.conns.xia.open({ user: 'xia', accessToken: login.accessToken });
      return login.accessToken as string;
    });
    expect(token).toBeTruthy();
    const graphql = await userToken(server, appId, 'xia', 'pw-123456');
    const live = await listening(server, () => subscribe(server.wsUrl, graphql, `subscription { messageAdded { uid text } }`));
    const id = await page.evaluate(() => (globalThis as any).send('wen', { type: 'txt', to: 'xia', msg: 'hello from the browser' }));
    await heard(page, 'xia', 1);
    expect(await textsOf(page, 'xia')).toEqual([{ id, from: 'wen', to: 'xia', msg: 'hello from the browser', chatType: 'singleChat' }]);
    expect((await live.waitFor(1))[0].data.messageAdded).toEqual({ uid: Number(id), text: 'hello from the browser' });
    await live.close();
    // And back, through GraphQL into the browser.
    await server.ok(`mutation { sendMessage(input: { to: { username: "wen" }, type: TEXT, text: "from graphql" }) { id } }`, {}, graphql);
    await heard(page, 'wen', 1);
    expect(await textsOf(page, 'wen')).toEqual([expect.objectContaining({ from: 'xia', msg: 'from graphql' })]);
    // An image: the SDK uploads it (REST /chatfiles), then sends its URL and share secret over the socket.
    const image = await page.evaluate(async () => {
      const w = globalThis as any;
      const canvas = w.document.createElement('canvas');
      canvas.width = 64;
      canvas.height = 48;
      canvas.getContext('2d').fillRect(0, 0, 64, 48);
      const blob: Blob = await new Promise((r) => canvas.toBlob((b: Blob) => r(b), 'image/png'));
      const file = { data: new File([blob], 'dot.png', { type: 'image/png' }), filename: 'dot.png', filetype: 'png' };
      const sent = await w.conns.wen.send(w.sdk.message.create({ type: 'img', chatType: 'singleChat', to: 'xia', file }));
      await new Promise<void>((resolve) => {
        const poll = () => (w.got.xia.image.length ? resolve() : setTimeout(poll, 20));
        poll();
      });
      const got = w.got.xia.image[0];
      const loaded = await fetch(got.url).then((r) => r.status);
      return { sent: sent.serverMsgId, got, loaded };
    });
    expect(image.got).toMatchObject({ id: image.sent, from: 'wen', secret: expect.any(String), size: expect.any(Number) });
    expect(image.got.secret).not.toBe('');
    expect([image.loaded, image.got.url]).toEqual([200, expect.any(String)]); // the receiver loads it with the URL (and secret) the SDK built
    await page.evaluate(() => Object.values((globalThis as any).conns).forEach((c: any) => c.close()));
    await page.close();
  });

  it('runs agora-chat 1.4.0 the same way: offline messages on open, then live', async () => {
    const page = await pageWith('agora-chat');
    await page.evaluate(async () => {
      const w = globalThis as any;
      for (const u of ['yan', 'zed']) {
        w.connect(u);
        await w.conns[u].registerUser({ username: u, password: 'pw-123456' });
      }
      await w.conns.yan.open({ user: 'yan', pwd: 'pw-123456' });
      await w.send('yan', { type: 'txt', to: 'zed', msg: 'while you were away' });
      await w.conns.zed.open({ user: 'zed', pwd: 'pw-123456' });
    });
    await heard(page, 'zed', 1);
    await page.evaluate(() => (globalThis as any).send('yan', { type: 'custom', to: 'zed', customEvent: 'wave', customExts: {} }));
    await page.waitForFunction(() => (globalThis as any).got.zed.custom.length === 1, undefined, { timeout: 15_000 });
    expect((await textsOf(page, 'zed')).map((m: any) => m.msg)).toEqual(['while you were away']);
    await page.evaluate(() => Object.values((globalThis as any).conns).forEach((c: any) => c.close()));
    await page.close();
  });
});

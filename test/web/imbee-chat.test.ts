import crypto from 'node:crypto';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../helpers/browser';
import { startTestServer, type TestServer } from '../helpers/harness';
import { ROOT } from '../helpers/process';
import { startReceiver } from '../helpers/receiver';
import { OUTBOX_TEST_ENV, eventually } from '../outbox/helpers';
import { imbeeClient } from '../vendors/imbee/helpers';
import { wildfireClient } from '../vendors/wildfire/helpers';

// The web chat page behind Imbee links, in a real browser: open, history, send, live reply, reload, used-up link.
describe('Imbee web chat page (headless Chromium)', () => {
  let server: TestServer;
  let browser: Browser;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let im: Awaited<ReturnType<typeof imbeeClient>>;
  let bot: ReturnType<typeof wildfireClient>;
  const secret = crypto.randomBytes(12).toString('hex');

  beforeAll(async () => {
    server = await startTestServer(OUTBOX_TEST_ENV);
    receiver = await startReceiver();
    browser = await launchBrowser();
    im = await imbeeClient(server);
    await server.ok(
      `mutation($i: CreateRobotInput!) { createRobot(input: $i) { rid } }`,
      { i: { username: 'helpbot', secret, callbackUrl: `${receiver.url}/bot` } },
      im.app.token,
    );
    await server.ok(
      `mutation($u: String!) { setGateway(input: { channel: "EMAIL", url: $u }) { channel } }`,
      { u: `${receiver.url}/mail` },
      im.app.token,
    );
    bot = wildfireClient(`${server.url}/wildfire`, 'helpbot', secret);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await receiver?.close();
  });

  const botSays = async (text: string) => {
    const res = await bot('/robot/message/send', { conv: { type: 0, target: 'visitor_1' }, payload: { type: 1, searchableContent: text } });
    expect(res.body.code).toBe(0);
  };

  it('opens the link, shows history, sends, receives the bot live, resumes after a reload, and says when the link is used up', async () => {
    const res = await im.call('/token/new', { virtual_user: 'visitor_1', bot_idsha: 'helpbot', mail: 'v@example.com', max_retries: 2 });
    const url: string = res.body.body.url;
    await botSays('Welcome! Ask me anything.');

    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(url);
    await page.getByText('Welcome! Ask me anything.').waitFor();
    expect(page.url()).not.toContain('#'); // the secret left the address bar
    expect(requests.some((r) => r.includes(url.split('#')[1]!))).toBe(false); // and was never sent in a URL
    await page.getByRole('heading', { name: 'Chat with helpbot' }).waitFor();

    // keyboard only: the labelled field, Enter sends
    await page.getByLabel('Message', { exact: true }).fill('When do you open?');
    await page.keyboard.press('Enter');
    await page.locator('li.mine', { hasText: 'When do you open?' }).waitFor();
    // the link's e-mail goes to the same receiver: wait for the robot's callback itself
    const heard = await eventually(async () => receiver.received.find((r) => r.path === '/bot'));
    expect(JSON.parse(heard.body).payload.searchableContent).toBe('When do you open?');
    await botSays('At nine.');
    await page.locator('li.theirs', { hasText: 'At nine.' }).waitFor();

    // reload: the session survives in this tab (no retry spent), messages come back once each, live again
    await page.reload();
    await page.getByText('At nine.').waitFor();
    await botSays('Anything else?');
    await page.getByText('Anything else?').waitFor();
    const texts = await page.locator('#messages li').allTextContents();
    expect(texts).toEqual(['Welcome! Ask me anything.', 'When do you open?', 'At nine.', 'Anything else?']);
    if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: path.join(ROOT, 'docs/images/imbee-chat.png') });
    await page.close();

    // a second opening elsewhere spends the last retry; a third is refused with a clear message
    const second = await browser.newPage();
    await second.goto(url);
    await second.getByText('Anything else?').waitFor();
    await second.close();
    const third = await browser.newPage();
    await third.goto(url);
    await third
      .getByRole('alert')
      .getByText(/used as many times as it allows/)
      .waitFor();
    expect(await third.locator('#composer').isHidden()).toBe(true);
    await third.close();
  });

  it('resumes without a gap when its socket drops: what the bot said meanwhile arrives once, in order', async () => {
    const res = await im.call('/token/new', { virtual_user: 'visitor_2', bot_idsha: 'helpbot', mail: 'w@example.com' });
    const says = (text: string) =>
      bot('/robot/message/send', { conv: { type: 0, target: 'visitor_2' }, payload: { type: 1, searchableContent: text } });
    await says('First.');
    const page = await browser.newPage();
    // Every socket the page opens goes through this route, so the test can cut it.
    const routes: { cut(): Promise<void> }[] = [];
    await page.routeWebSocket(/\/graphql$/, (ws) => {
      const upstream = ws.connectToServer();
      routes.push({ cut: async () => void (await Promise.all([ws.close({ code: 1001, reason: 'cut' }), upstream.close()])) });
    });
    await page.goto(res.body.body.url);
    await page.getByText('First.').waitFor();
    await eventually(async () => ((await page.locator('#status').textContent())?.startsWith('Chatting') ? true : undefined));
    await routes.at(-1)!.cut();
    for (const t of ['Second.', 'Third.']) expect((await says(t)).body.code).toBe(0);
    await page.getByText('Third.').waitFor({ timeout: 20_000 });
    await says('Fourth.');
    await page.getByText('Fourth.').waitFor();
    expect(routes.length).toBeGreaterThan(1); // it reconnected on its own
    expect(await page.locator('#messages li').allTextContents()).toEqual(['First.', 'Second.', 'Third.', 'Fourth.']);
    await page.close();
  });

  it('serves the page with a strict Content-Security-Policy and no inline code', async () => {
    const res = await fetch(`${server.url}/imbee/chat`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'.*script-src 'self'/);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await res.text();
    expect(html).not.toMatch(/<script>(?!<)/);
    expect(html).toMatch(/<label for="text">/);
    expect((await fetch(`${server.url}/imbee/chat.js`)).headers.get('content-type')).toMatch(/javascript/);
  });
});

import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser';
import { OPERATOR_TOKEN, startTestServer, type TestServer } from '../helpers/harness';
import { ROOT } from '../helpers/process';
import { startReceiver } from '../helpers/receiver';
import { OUTBOX_TEST_ENV, eventually } from '../outbox/helpers';
import { easemobClient, type EasemobClient } from '../vendors/easemob/helpers';

// The operator console in a real browser: sign in, live figures move, a dead delivery is replayed.
describe('operator console (headless Chromium)', () => {
  let server: TestServer;
  let browser: Browser;
  let em: EasemobClient;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    // One attempt only: the first failure makes the delivery dead.
    server = await startTestServer({ ...OUTBOX_TEST_ENV, OUTBOX_MAX_ATTEMPTS: '1', CONSOLE_ENABLED: 'true' });
    receiver = await startReceiver(() => ({ status: 503, body: 'down for maintenance' }));
    browser = await launchBrowser();
    em = await easemobClient(server);
    await server.ok(
      `mutation($a: ID!, $i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(appId: $a, input: $i) { id } }`,
      { a: em.app.appId, i: { url: `${receiver.url}/hook`, eventTypes: ['message.created'] } },
      OPERATOR_TOKEN,
    );
    for (const u of ['alice', 'bob'])
      await em.call('POST', '/users', { contentType: 'application/json', body: { username: u, password: `pw-${u}` } });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await receiver?.close();
  });

  const figure = async (page: Page, id: string) => Number((await page.locator(`#${id}`).textContent())!.replace(/[^\d.]/g, '') || NaN);

  it('is not served unless enabled', async () => {
    const plain = await startTestServer();
    try {
      expect((await fetch(`${plain.url}/console`)).status).toBe(404);
    } finally {
      await plain.close();
    }
  });

  it('signs in with the operator token only, shows a sent message in the live figures, and replays a dead delivery', async () => {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${server.url}/console`);
    expect((await page.request.get(`${server.url}/console`)).headers()['content-security-policy']).toContain("script-src 'self'");

    // An app token is no operator token.
    await page.fill('#token', em.app.token);
    await page.click('#sign-in button[type=submit]');
    await page.getByText('This is not the operator token.').waitFor();
    expect(await page.locator('#dashboard').isHidden()).toBe(true);
    await page.fill('#token', OPERATOR_TOKEN);
    await page.click('#sign-in button[type=submit]');
    await page.locator('#dashboard').waitFor();
    await eventually(async () => ((await page.locator('#fig-messages').textContent()) !== '–' ? true : undefined), 10_000, 'the figures');
    const before = await figure(page, 'fig-messages');

    const sent = await em.call('POST', '/messages/users', { body: { from: 'alice', to: ['bob'], type: 'txt', body: { msg: 'watched' } } });
    expect(sent.status).toBe(200);
    await eventually(
      async () => ((await figure(page, 'fig-messages')) >= before + 1 ? true : undefined),
      20_000,
      'the message in the figures',
    );
    // The webhook's receiver is down: the delivery dies after its one attempt and shows as dead.
    await receiver.waitFor(1);
    const dead = page.locator('#deliveries tr[data-state="DEAD"]');
    await dead.first().waitFor({ timeout: 20_000 });
    expect(await dead.first().textContent()).toContain('receiver answered 503');
    const id = await dead.first().getAttribute('data-delivery');
    await eventually(async () => ((await figure(page, 'fig-dead')) >= 1 ? true : undefined), 10_000, 'the dead count');
    // The app and its webhook, with its last delivery.
    await page.locator(`[data-testid="endpoints-${em.app.name}"]`).click();
    await page.locator('#endpoints').getByText(`${receiver.url}/hook`).waitFor();
    expect(await page.locator('#endpoints tbody').textContent()).toContain('dead');
    // The refused sign-in is among the recent errors.
    await page.locator('#errors tbody').getByText('FORBIDDEN').first().waitFor({ timeout: 10_000 });
    if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: path.join(ROOT, 'docs/images/console.png'), fullPage: true });
    // The receiver is back; a replay delivers it.
    receiver.setReply(() => ({ status: 200 }));
    await page.locator(`[data-testid="replay-${id}"]`).click();
    await page.selectOption('#outbox-states', 'DEAD,FAILED,QUEUED,SENDING,DELIVERED');
    await page.locator(`#deliveries tr[data-delivery="${id}"][data-state="DELIVERED"]`).waitFor({ timeout: 20_000 });
    expect(receiver.received.length).toBeGreaterThanOrEqual(2);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});

import { listening, subscribe } from '../helpers/live';
import { errorCode, provisionApp, registerUser, startTestServer, userToken, type TestServer } from '../helpers/harness';
import { startReceiver } from '../helpers/receiver';
import { CreateWebhookDocument, DeliveriesDocument } from '../generated/documents';
import { easemobClient, type EasemobClient } from '../vendors/easemob/helpers';
import { OUTBOX_TEST_ENV, documentedVerify, eventually } from './helpers';

describe('webhook subscriptions', () => {
  let server: TestServer;
  let em: EasemobClient;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const verify = documentedVerify();

  beforeAll(async () => {
    server = await startTestServer(OUTBOX_TEST_ENV);
    receiver = await startReceiver();
    em = await easemobClient(server);
    for (const u of ['alice', 'bob'])
      await em.call('POST', '/users', { contentType: 'application/json', body: { username: u, password: `pw-${u}` } });
  });
  afterAll(async () => {
    await server.close();
    await receiver.close();
  });

  it('posts message.created for a message sent through the Easemob adapter, signed, with the delivery id as Idempotency-Key', async () => {
    const { createWebhookSubscription: sub } = await server.ok(
      CreateWebhookDocument,
      { input: { url: `${receiver.url}/hook`, eventTypes: ['message.created'] } },
      em.app.token,
    );
    expect(sub.secret).toMatch(/^whsec_/);
    const sent = await em.call('POST', '/messages/users', {
      body: { from: 'alice', to: ['bob'], type: 'txt', body: { msg: 'hello hook' } },
    });
    expect(sent.status).toBe(200);

    const [req] = await receiver.waitFor(1);
    expect(req!.path).toBe('/hook');
    expect(verify(sub.secret!, req!.body, String(req!.headers['x-imfacade-signature']))).toBe(true);
    expect(verify('another-secret-0123456789', req!.body, String(req!.headers['x-imfacade-signature']))).toBe(false);
    expect(verify(sub.secret!, req!.body.replace('hello', 'HELLO'), String(req!.headers['x-imfacade-signature']))).toBe(false);
    const body = JSON.parse(req!.body);
    expect(body).toMatchObject({
      type: 'message.created',
      appId: em.app.appId,
      data: { message: { text: 'hello hook', uid: Number(sent.body.data.bob) } },
    });
    expect(req!.headers['x-imfacade-event']).toBe('message.created');

    const delivered = await eventually(async () => {
      const { deliveries } = await server.ok(DeliveriesDocument, { channels: ['WEBHOOK'] }, em.app.token);
      return deliveries.nodes[0]?.state === 'DELIVERED' ? deliveries.nodes[0] : undefined;
    });
    expect(req!.headers['idempotency-key']).toBe(delivered.id);
    expect(delivered).toMatchObject({ attempts: 1, eventType: 'message.created', destination: `${receiver.url}/hook`, lastError: null });
    expect(delivered.deliveredAt).toBeTruthy();
  });

  it('posts user.created for each user registered, on any surface, to the subscriptions that want it', async () => {
    const before = receiver.received.length;
    await server.ok(
      CreateWebhookDocument,
      { input: { url: `${receiver.url}/users`, eventTypes: ['user.created', 'user.deactivated'] } },
      em.app.token,
    );
    await registerUser(server, em.app.token, 'carol');
    await em.call('POST', '/users/carol/deactivate', {});
    const got = await receiver.waitFor(before + 2);
    const mine = got
      .slice(before)
      .filter((r) => r.path === '/users')
      .map((r) => JSON.parse(r.body));
    expect(mine.map((b) => b.type).sort()).toEqual(['user.created', 'user.deactivated']);
    expect(mine.find((b) => b.type === 'user.created').data.users).toEqual([{ id: expect.any(String), username: 'carol' }]);
  });

  it('refuses unknown event types and non-http URLs with INVALID_INPUT', async () => {
    const bad = await server.gql(
      CreateWebhookDocument,
      { input: { url: `${receiver.url}/x`, eventTypes: ['message.created', 'nope'] } },
      em.app.token,
    );
    expect(errorCode(bad)).toBe('INVALID_INPUT');
    expect(bad.body.errors![0]!.message).toMatch(/unknown event types nope/);
    const ftp = await server.gql(
      CreateWebhookDocument,
      { input: { url: 'ftp://example.com/x', eventTypes: ['message.created'] } },
      em.app.token,
    );
    expect(errorCode(ftp)).toBe('INVALID_INPUT');
  });

  it('is managed by app tokens only: a user token is refused, another app sees nothing', async () => {
    const alice = await userToken(server, em.app.appId, 'alice', 'pw-alice');
    const asUser = await server.gql(CreateWebhookDocument, { input: { url: `${receiver.url}/x`, eventTypes: ['message.created'] } }, alice);
    expect(errorCode(asUser)).toBe('FORBIDDEN');
    const other = await provisionApp(server);
    expect((await server.ok(DeliveriesDocument, {}, other.token)).deliveries.nodes).toEqual([]);
    const { deliveries } = await server.ok(DeliveriesDocument, {}, em.app.token);
    const foreign = await server.gql(`query($id: ID!) { delivery(id: $id) { id } }`, { id: deliveries.nodes[0]!.id }, other.token);
    expect(errorCode(foreign)).toBe('NOT_FOUND');
  });

  it('announces every state of a delivery to deliveryChanged (app tokens only)', async () => {
    const live = await listening(server, () =>
      subscribe(server.wsUrl, em.app.token, `subscription { deliveryChanged { id state attempts channel delivery { id state } } }`),
    );
    await em.call('POST', '/messages/users', { body: { from: 'bob', to: ['alice'], type: 'txt', body: { msg: 'watched' } } });
    // new work is taken by this server's worker as it is stored: sending at once (docs/OUTBOX.md)
    const events = await live.waitFor(2);
    expect(events.slice(0, 2).map((e) => e.data.deliveryChanged.state)).toEqual(['SENDING', 'DELIVERED']);
    expect(new Set(events.slice(0, 2).map((e) => e.data.deliveryChanged.id)).size).toBe(1);
    await live.close();

    const alice = await userToken(server, em.app.appId, 'alice', 'pw-alice');
    const refused = subscribe(server.wsUrl, alice, `subscription { deliveryChanged { id } }`);
    await eventually(async () => (refused.errors.length || refused.received.length ? true : undefined));
    expect(JSON.stringify([...refused.errors, ...refused.received])).toMatch(/deliveryChanged needs an app token/);
    await refused.close();
  });
});

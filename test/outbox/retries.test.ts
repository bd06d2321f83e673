import { errorCode, provisionApp, registerUser, startTestServer, userToken, OPERATOR_TOKEN, type TestServer } from '../helpers/harness';
import { startReceiver } from '../helpers/receiver';
import { DeliveryDocument, ReplayDeliveryDocument, SendOutboundDocument, SetGatewayDocument } from '../generated/documents';
import { OUTBOX_TEST_ENV, documentedVerify, eventually } from './helpers';

type App = Awaited<ReturnType<typeof provisionApp>>;

describe('outbox: retries, dead letters, replay, gateways, in-app', () => {
  let server: TestServer;
  let app: App;
  const verify = documentedVerify();

  beforeAll(async () => {
    server = await startTestServer(OUTBOX_TEST_ENV);
    app = await provisionApp(server);
  });
  afterAll(() => server.close());

  /** Waits until the delivery is in `state` (and returns it as GraphQL shows it). */
  const settled = (id: string, state: string, token = app.token) =>
    eventually(
      async () => {
        const { delivery } = await server.ok(DeliveryDocument, { id }, token);
        return delivery?.state === state ? delivery : undefined;
      },
      20_000,
      `delivery ${id} ${state}`,
    );

  async function viaGateway(channel: string, receiverUrl: string, destination = '+15550100') {
    const { setGateway } = await server.ok(SetGatewayDocument, { input: { channel, url: receiverUrl } }, app.token);
    const { sendOutboundMessage } = await server.ok(
      SendOutboundDocument,
      { input: { channel, destination, payload: JSON.stringify({ text: 'your code is 1234' }) } },
      app.token,
    );
    return { gateway: setGateway, delivery: sendOutboundMessage };
  }

  it('retries after 500s and a timeout with growing delays, the same delivery id each time, until a 2xx', async () => {
    const receiver = await startReceiver((_r, i) => (i < 2 ? { status: 500, body: 'down' } : i === 2 ? 'hold' : { status: 204 }));
    const { gateway, delivery } = await viaGateway('SMS', `${receiver.url}/sms`);
    const done = await settled(delivery.id, 'DELIVERED');
    const got = receiver.received;
    expect(got).toHaveLength(4);
    expect(new Set(got.map((r) => r.headers['idempotency-key']))).toEqual(new Set([delivery.id]));
    expect(got.map((r) => r.headers['x-imfacade-attempt'])).toEqual(['1', '2', '3', '4']);
    expect(got.every((r) => verify(gateway.secret!, r.body, String(r.headers['x-imfacade-signature'])))).toBe(true);
    // 100·2^(n-1) ms with equal jitter; the third attempt also waited out its 600 ms timeout.
    const gaps = got.slice(1).map((r, i) => r.at - got[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(45);
    expect(gaps[1]!).toBeGreaterThanOrEqual(95);
    expect(gaps[2]!).toBeGreaterThanOrEqual(600 + 195);
    expect(done).toMatchObject({ attempts: 4, channel: 'SMS', destination: '+15550100' });
    expect(JSON.parse(got[0]!.body)).toMatchObject({ channel: 'SMS', destination: '+15550100', payload: { text: 'your code is 1234' } });
    await receiver.close();
  });

  it('is dead after the configured attempts, shows the last error, and an operator replay delivers it', async () => {
    const receiver = await startReceiver(() => ({ status: 503, body: 'gateway says no' }));
    const { delivery } = await viaGateway('EMAIL', `${receiver.url}/mail`, 'someone@example.com');
    const dead = await settled(delivery.id, 'DEAD');
    expect(receiver.received).toHaveLength(5);
    expect(dead.attempts).toBe(5);
    expect(dead.lastError).toEqual({ status: 503, message: 'receiver answered 503', body: 'gateway says no' });
    expect(dead.nextAttemptAt).toBeNull();

    receiver.setReply(() => ({ status: 200 }));
    const alice = await userToken(server, app.appId, (await registerUser(server, app.token, 'alice')).username);
    expect(errorCode(await server.gql(ReplayDeliveryDocument, { id: delivery.id }, alice))).toBe('FORBIDDEN');
    const replayed = await server.ok(ReplayDeliveryDocument, { id: delivery.id }, OPERATOR_TOKEN);
    expect(replayed.replayDelivery.state).toMatch(/QUEUED|SENDING|DELIVERED/);
    const delivered = await settled(delivery.id, 'DELIVERED');
    expect(delivered.attempts).toBe(6);
    expect(receiver.received.map((r) => r.headers['idempotency-key'])).toEqual(Array(6).fill(delivery.id));
    // a delivered one may be replayed too (the receiver asked for it again)
    await server.ok(ReplayDeliveryDocument, { id: delivery.id }, app.token);
    expect((await settled(delivery.id, 'DELIVERED')).attempts).toBe(7);
    await receiver.close();
  });

  it('never follows a redirect', async () => {
    const target = await startReceiver();
    const receiver = await startReceiver(() => ({ status: 302, headers: { location: `${target.url}/elsewhere` } }));
    const { delivery } = await viaGateway('FCM', `${receiver.url}/push`, 'device-token-1');
    const failed = await eventually(async () => {
      const d = (await server.ok(DeliveryDocument, { id: delivery.id }, app.token)).delivery;
      return d?.lastError ? d : undefined;
    });
    expect(failed.lastError).toMatchObject({ status: 302, message: 'redirect 302 not followed' });
    expect(target.received).toHaveLength(0);
    await Promise.all([target.close(), receiver.close()]);
  });

  it('keeps a channel without a gateway queued with the reason shown, and delivers once a gateway is set', async () => {
    const { sendOutboundMessage: waiting } = await server.ok(
      SendOutboundDocument,
      { input: { channel: 'SAT', destination: 'terminal-7', payload: '{"text":"hi"}', idempotencyKey: 'sat-1' } },
      app.token,
    );
    const parked = await eventually(async () => {
      const d = (await server.ok(DeliveryDocument, { id: waiting.id }, app.token)).delivery;
      return d?.waitingReason ? d : undefined;
    });
    expect(parked).toMatchObject({ state: 'QUEUED', attempts: 0, waitingReason: 'no SAT gateway is configured for this app' });
    // the same idempotency key is the same delivery
    const again = await server.ok(
      SendOutboundDocument,
      { input: { channel: 'SAT', destination: 'terminal-7', payload: '{"text":"hi"}', idempotencyKey: 'sat-1' } },
      app.token,
    );
    expect(again.sendOutboundMessage.id).toBe(waiting.id);

    const receiver = await startReceiver();
    await server.ok(SetGatewayDocument, { input: { channel: 'sat', url: `${receiver.url}/sat` } }, app.token);
    expect((await settled(waiting.id, 'DELIVERED')).waitingReason).toBeNull();
    expect(receiver.received).toHaveLength(1);
    await receiver.close();
  });

  it('delivers IM as a system message the user sees in GraphQL', async () => {
    await registerUser(server, app.token, 'dora');
    const { sendOutboundMessage } = await server.ok(
      SendOutboundDocument,
      { input: { channel: 'IM', destination: 'dora', payload: JSON.stringify({ title: 'Notice', text: 'Your parcel is here' }) } },
      app.token,
    );
    await settled(sendOutboundMessage.id, 'DELIVERED');
    const dora = await userToken(server, app.appId, 'dora');
    const { conversations } = await server.ok(
      `{ conversations(first: 10) { nodes { kind lastMessage { type text payload } } } }`,
      {},
      dora,
    );
    expect(conversations.nodes).toEqual([
      { kind: 'SYSTEM', lastMessage: { type: 'SYSTEM', text: 'Your parcel is here', payload: expect.stringContaining('Notice') } },
    ]);

    const { sendOutboundMessage: nobody } = await server.ok(
      SendOutboundDocument,
      { input: { channel: 'IM', destination: 'nobody-here', payload: '{"text":"x"}' } },
      app.token,
    );
    expect((await settled(nobody.id, 'DEAD')).lastError!.message).toMatch(/not found/);
  });

  it('refuses bad outbound input with INVALID_INPUT', async () => {
    const send = (input: Record<string, unknown>) =>
      server.gql(SendOutboundDocument, { input: { channel: 'SMS', destination: '+1', payload: '{}', ...input } as never }, app.token);
    expect(errorCode(await send({ payload: 'not json' }))).toBe('INVALID_INPUT');
    expect(errorCode(await send({ channel: 'WEBHOOK' }))).toBe('INVALID_INPUT');
    expect(errorCode(await send({ channel: 'a b' }))).toBe('INVALID_INPUT');
    expect(errorCode(await send({ destination: '' }))).toBe('INVALID_INPUT');
    expect(errorCode(await send({ payload: JSON.stringify({ x: 'y'.repeat(70_000) }) }))).toBe('INVALID_INPUT');
  });
});

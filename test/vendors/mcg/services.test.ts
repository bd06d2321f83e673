import { provisionApp, registerUser, startTestServer, userToken, type TestServer } from '../../helpers/harness';
import { listening, subscribe } from '../../helpers/live';
import { runToEnd } from '../../helpers/process';
import { startReceiver } from '../../helpers/receiver';
import { OUTBOX_TEST_ENV, eventually } from '../../outbox/helpers';

type App = Awaited<ReturnType<typeof provisionApp>>;

describe('MCG /Services', () => {
  let server: TestServer;
  let app: App;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let bearer: string;
  let base: string;

  const cli = async (...args: string[]) => {
    const env = {
      MONGODB_URI: process.env.TEST_MONGODB_URI!,
      MONGODB_DB_NAME: server.app.config.database.name,
      SECRETS_KEY: OUTBOX_TEST_ENV.SECRETS_KEY,
    };
    const r = await runToEnd('dist/src/cli/main.js', args, env);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    return JSON.parse(r.stdout);
  };
  const dispatch = (body: unknown, auth = bearer) =>
    fetch(`${base}/Services`, {
      method: 'POST',
      headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    server = await startTestServer(OUTBOX_TEST_ENV);
    base = `${server.url}/mcg`;
    app = await provisionApp(server);
    receiver = await startReceiver();
    await registerUser(server, app.token, 'ana');
    await server.ok(
      `mutation($u: String!) { setGateway(input: { channel: "SMS", url: $u }) { channel } }`,
      { u: `${receiver.url}/sms` },
      app.token,
    );
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: app.mcg.clientId,
      client_secret: app.mcg.clientSecret,
    });
    const grant = await fetch(`${base}/mcg/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    bearer = ((await grant.json()) as any).access_token;
  });
  afterAll(async () => {
    await server.close();
    await receiver.close();
  });

  it('delivers a notification with the document spellings through the SMS gateway: 201 with the delivery and its Location; a reused service_token is 409', async () => {
    const svc = await cli('service', 'create', '--app', app.appId, '--kind', 'notification');
    expect(svc).toMatchObject({
      serviceId: expect.any(Number),
      serviceToken: expect.stringMatching(/^[0-9a-f-]{36}$/),
      providerId: app.mcg.providerId,
    });
    const body = {
      provider_id: app.mcg.providerId,
      service_token: svc.serviceToken,
      service_id: svc.serviceId,
      parameters: {
        destination: '+5491100000000',
        notification: { titulo: 'Clínica Dr. Nano. Turno', mensaje: 'Oftalmologo Lunes 29-10 a las 9:15Hs.', canal: 'SMS' },
      },
    };
    const res = await dispatch(body);
    expect(res.status).toBe(201);
    const created = (await res.json()) as any;
    expect(created).toMatchObject({ id: expect.any(String), channel: 'SMS', destination: '+5491100000000' });
    expect(res.headers.get('location')).toBe(`/mcg/Services/${created.id}`);
    const [req] = await receiver.waitFor(1);
    expect(JSON.parse(req!.body).payload).toMatchObject({
      kind: 'notification',
      title: 'Clínica Dr. Nano. Turno',
      message: 'Oftalmologo Lunes 29-10 a las 9:15Hs.',
    });
    const status = await eventually(async () => {
      const r = (await (
        await fetch(`${server.url}${res.headers.get('location')}`, { headers: { authorization: `Bearer ${bearer}` } })
      ).json()) as any;
      return r.state === 'DELIVERED' || r.state === 'delivered' ? r : undefined;
    });
    expect(status.id).toBe(created.id);

    const again = await dispatch(body);
    expect({ status: again.status, error: ((await again.json()) as any).error }).toEqual({ status: 409, error: 'conflict' });
    const { serviceToken } = await cli('service', 'token', '--app', app.appId, '--service', String(svc.serviceId));
    const french = {
      ...body,
      service_token: serviceToken,
      parameters: { destination: '+5491100000000', notification: { Titre: 'Clinique', Message: 'Lundi', Cannel: 1 } },
    };
    expect((await dispatch(french)).status).toBe(201);
  });

  it('refuses by the document table: 400 invalid parameters, 401 no provider token, 403 wrong provider or token, 404 unknown service, 405 with Allow', async () => {
    const svc = await cli('service', 'create', '--app', app.appId, '--kind', 'advertisement');
    const ok = (over: object = {}, params: object = {}) => ({
      provider_id: app.mcg.providerId,
      service_token: svc.serviceToken,
      service_id: svc.serviceId,
      parameters: { destination: 'ana', advertisement: { title: 'Autos usados', message: 'Financiamiento', canal: 'IM', ...params } },
      ...over,
    });
    const status = async (b: unknown, auth?: string) => (await dispatch(b, auth)).status;
    expect(await status(ok({}, { title: 'x'.repeat(33) }))).toBe(400);
    expect(await status(ok({}, { message: 'x'.repeat(167) }))).toBe(400);
    expect(await status(ok({}, { canal: 99 }))).toBe(400);
    expect(await status(ok({}, { Picture: 'not base64!' }))).toBe(400);
    expect(await status(ok({}, { Picture: 'A'.repeat(60_000) }))).toBe(400);
    expect(await status(ok({ service_token: 'not-a-uuid' }))).toBe(400);
    expect(await status(ok({ parameters: { destination: 'ana' } }))).toBe(400);
    expect(await status(ok(), app.token)).toBe(401);
    expect(await status(ok({ provider_id: app.mcg.providerId + 1000 }))).toBe(403);
    expect(await status(ok({ service_token: '00000000-0000-4000-8000-000000000000' }))).toBe(403);
    expect(await status(ok({ service_id: 999999 }))).toBe(404);
    const get = await fetch(`${base}/Services`, { headers: { authorization: `Bearer ${bearer}` } });
    expect({ status: get.status, allow: get.headers.get('allow') }).toEqual({ status: 405, allow: 'POST' });
    // nothing above used the token: it still works once, delivering in-app
    const ana = await userToken(server, app.appId, 'ana');
    const live = await listening(server, () => subscribe(server.wsUrl, ana, `subscription { messageAdded { type payload } }`));
    expect(await status(ok({}, { Picture: Buffer.from('png').toString('base64'), Link: 'https://cars.example' }))).toBe(201);
    const [event] = await live.waitFor(1, 15_000);
    await live.close();
    expect(JSON.stringify(event.data.messageAdded)).toContain('Autos usados');
  });

  it('renders a real QR code for qr_code services and sends a payment request (moving no money) for micro_payment', async () => {
    const qr = await cli('service', 'create', '--app', app.appId, '--kind', 'qr_code');
    const before = receiver.received.length;
    const res = await dispatch({
      provider_id: app.mcg.providerId,
      service_token: qr.serviceToken,
      service_id: qr.serviceId,
      parameters: { destination: '+5491100000001', qr_code: { data: 'TICKET-42', canal: 'SMS' } },
    });
    expect(res.status).toBe(201);
    const got = await receiver.waitFor(before + 1);
    const payload = JSON.parse(got[before]!.body).payload;
    expect(payload).toMatchObject({ kind: 'qr_code', data: 'TICKET-42', pictureType: 'image/png' });
    expect(Buffer.from(payload.picture, 'base64').subarray(1, 4).toString()).toBe('PNG');

    const pay = await cli('service', 'create', '--app', app.appId, '--kind', 'micro_payment');
    const body = (mp: object) => ({
      provider_id: app.mcg.providerId,
      service_token: pay.serviceToken,
      service_id: pay.serviceId,
      parameters: { destination: '+5491100000002', microPayment: { canal: 'SMS', ...mp } },
    });
    expect((await dispatch(body({ amount: -1, currency: 'ARS' }))).status).toBe(400);
    expect((await dispatch(body({ amount: 150.5, currency: 'ARS', concept: 'Turno' }))).status).toBe(201);
    const all = await receiver.waitFor(before + 2);
    expect(JSON.parse(all[before + 1]!.body).payload).toMatchObject({
      kind: 'micro_payment',
      amount: 150.5,
      currency: 'ARS',
      note: expect.stringMatching(/no money/),
    });
  });
});

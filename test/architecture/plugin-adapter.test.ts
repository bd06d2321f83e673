import { Types } from 'mongoose';
import pino from 'pino';
import { runCommand } from '../../src/cli/commands';
import { OPERATOR_TOKEN, appToken, registerUser, startTestServer, type TestServer } from '../helpers/harness';
import { startReceiver } from '../helpers/receiver';
import { OUTBOX_TEST_ENV } from '../outbox/helpers';
import { toyAdapter } from '../fixtures/toy-adapter';

// docs/ARCHITECTURE.md, "Adding an adapter": a sixth dialect in one folder (test/fixtures/toy-adapter),
// registered by one line, works end to end: credentials issued, rotated and verified, its routes,
// its webhook format through the outbox, its GraphQL extension, its config section and CLI command.
describe('an adapter is a plugin', () => {
  let server: TestServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let app: { appId: string; toy: { apiKey: string }; easemob: { clientId: string; clientSecret: string } };

  const toy = (path: string, key: string, body?: unknown) =>
    fetch(`${server.url}/toy${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { 'x-toy-key': key, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

  beforeAll(async () => {
    server = await startTestServer({ ...OUTBOX_TEST_ENV, TOY_GREETING: 'hello' }, undefined, { adapters: [toyAdapter] });
    receiver = await startReceiver();
    const created = await server.gql(
      'mutation { createApp(input: { name: "Toy Land" }) { appId toy { apiKey } easemob { clientId clientSecret } } }',
      {},
      OPERATOR_TOKEN,
    );
    app = created.body.data!.createApp as typeof app;
  });
  afterAll(async () => {
    await server.close();
    await receiver.close();
  });

  it('issues its credential with the app, verifies it on its routes, and reads its config section', async () => {
    expect(app.toy.apiKey).toMatch(/^toy_[\w-]+\.[\w-]+$/);
    expect(await toy('/me', app.toy.apiKey)).toEqual({ status: 200, body: { ok: true, app: 'Toy Land', greeting: 'hello' } });
    const [keyId] = app.toy.apiKey.split('.');
    expect(await toy('/me', `${keyId}.wrong`)).toEqual({ status: 401, body: { ok: false, why: 'bad key' } });
    expect((await toy('/me', 'nobody.x')).status).toBe(401);
    // Its GraphQL extension: the app's public toy id.
    const seen = await server.gql(`{ app(id: "${app.appId}") { toy { keyId } } }`, {}, OPERATOR_TOKEN);
    expect(seen.body.data).toEqual({ app: { toy: { keyId } } });
  });

  it('rotates its credential alone through the core mutation', async () => {
    const rotated = await server.gql(
      `mutation { rotateAppSecret(appId: "${app.appId}", vendors: [TOY]) { toy { apiKey } easemob { clientSecret } } }`,
      {},
      OPERATOR_TOKEN,
    );
    const { toy: fresh, easemob } = rotated.body.data!.rotateAppSecret as { toy: { apiKey: string }; easemob: { clientSecret: null } };
    expect(easemob.clientSecret).toBeNull();
    expect(fresh.apiKey.split('.')[0]).toBe(app.toy.apiKey.split('.')[0]);
    expect((await toy('/me', app.toy.apiKey)).status).toBe(401);
    expect((await toy('/me', fresh.apiKey)).status).toBe(200);
    app.toy = fresh;
  });

  it('gives an app made before the adapter its credentials when they are rotated in', async () => {
    const made = await server.gql('mutation { createApp(input: { name: "Before Toy" }) { appId } }', {}, OPERATOR_TOKEN);
    const appId = (made.body.data!.createApp as { appId: string }).appId;
    // As if the app had been made before the toy adapter was added: no sub-document of its own.
    await server.app.db.connection.collection('apps').updateOne({ _id: new Types.ObjectId(appId) }, { $unset: { toy: '' } });
    server.app.services.apps.forget(appId);
    expect((await server.gql(`{ app(id: "${appId}") { id } }`, {}, OPERATOR_TOKEN)).body.data).toEqual({ app: { id: appId } });
    const rotated = await server.gql(
      `mutation { rotateAppSecret(appId: "${appId}", vendors: [TOY]) { toy { apiKey } } }`,
      {},
      OPERATOR_TOKEN,
    );
    const { apiKey } = (rotated.body.data!.rotateAppSecret as { toy: { apiKey: string } }).toy;
    expect(await toy('/me', apiKey)).toMatchObject({ status: 200, body: { app: 'Before Toy' } });
  });

  it('sends through the shared domain and delivers its own webhook format through the outbox', async () => {
    const token = await appToken(server, app as never);
    for (const u of ['alice', 'bob']) await registerUser(server, token, u);
    const hook = await server.gql(
      `mutation { createWebhookSubscription(input: { url: "${receiver.url}/toy", eventTypes: ["message.created"], format: TOY }) { id format } }`,
      {},
      token,
    );
    expect(hook.body.data).toEqual({ createWebhookSubscription: { id: expect.any(String), format: 'TOY' } });
    const refused = await server.gql(
      `mutation { createWebhookSubscription(input: { url: "${receiver.url}/x", eventTypes: ["user.created"], format: TOY }) { id } }`,
      {},
      token,
    );
    expect(refused.body.errors?.[0]?.message).toMatch(/toy format has no callback for user\.created/);

    const said = await toy('/say', app.toy.apiKey, { from: 'alice', to: 'bob', text: 'from the toy' });
    expect(said).toEqual({ status: 200, body: { ok: true, uid: expect.any(Number) } });
    const [req] = await receiver.waitFor(1);
    expect(JSON.parse(req!.body)).toEqual({ toy: 'hi', text: 'from the toy', uid: said.body.uid });
    // Bad input is answered in the toy dialect.
    expect(await toy('/say', app.toy.apiKey, { from: 'alice' })).toMatchObject({ status: 400, body: { ok: false } });
  });

  it('runs its CLI command as the operator through the checked tier', async () => {
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
    const code = await runCommand(
      ['toy', 'whoami', '--app', app.appId],
      server.app.services,
      pino({ level: 'silent' }),
      io,
      toyAdapter.cli,
    );
    expect(code).toBe(0);
    expect(JSON.parse(out[0]!)).toEqual({ keyId: app.toy.apiKey.split('.')[0] });
  });
});

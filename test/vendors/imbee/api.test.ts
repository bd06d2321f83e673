import { startTestServer, type TestServer } from '../../helpers/harness';
import { startReceiver } from '../../helpers/receiver';
import { OUTBOX_TEST_ENV, eventually } from '../../outbox/helpers';
import { expectEnvelope, imbeeClient } from './helpers';

describe('Imbee REST API', () => {
  let server: TestServer;
  let im: Awaited<ReturnType<typeof imbeeClient>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    server = await startTestServer(OUTBOX_TEST_ENV);
    im = await imbeeClient(server);
    receiver = await startReceiver();
    await server.ok(`mutation { createRobot(input: { username: "botsha" }) { rid } }`, {}, im.app.token);
    for (const channel of ['EMAIL', 'SMS'])
      await server.ok(
        `mutation($c: String!, $u: String!) { setGateway(input: { channel: $c, url: $u }) { channel } }`,
        { c: channel, u: `${receiver.url}/${channel}` },
        im.app.token,
      );
  });
  afterAll(async () => {
    await server.close();
    await receiver.close();
  });

  it('creates a web access token, sends its link by mail and SMS through the outbox, and returns the same one for the same user and bot', async () => {
    const first = await im.call('/token/new', {
      virutal_user: 'user_sha_1',
      bot_idsha: 'botsha',
      mail: 'u1@example.com',
      celullar: '+5491100000000',
      max_retries: 3,
      date_limit: inDays(5),
    });
    const body = expectEnvelope(first, 200, 0);
    expect(body).toEqual({
      url: expect.stringMatching(/\/imbee\/chat#[A-Za-z0-9_-]{20,}$/),
      user_idsha: 'user_sha_1',
      date_limit: inDays(5),
      max_retries: 3,
      previously_created: false,
    });
    const sent = await receiver.waitFor(2);
    const byChannel = Object.fromEntries(sent.map((r) => [r.path, JSON.parse(r.body)]));
    expect(byChannel['/EMAIL']).toMatchObject({ destination: 'u1@example.com', payload: { url: body.url } });
    expect(byChannel['/SMS']).toMatchObject({ destination: '+5491100000000', payload: { url: body.url } });

    const again = expectEnvelope(
      await im.call('/token/new', { virtual_user: 'user_sha_1', bot_idsha: 'botsha', cellular: '+5491100000000' }),
      200,
      0,
    );
    expect(again).toMatchObject({ url: body.url, previously_created: true, max_retries: 3 });
    const defaults = expectEnvelope(
      await im.call('/token/new', { virtual_user: 'user_sha_2', bot_idsha: 'botsha', mail: 'u2@example.com' }),
      200,
      0,
    );
    expect(defaults).toMatchObject({ max_retries: 10, date_limit: inDays(30), previously_created: false });
  });

  it('validates /token/new and authenticates with myAuth and the corporate key, answering in the envelope with 4xx', async () => {
    const ok = { virtual_user: 'v', bot_idsha: 'botsha', mail: 'v@example.com' };
    expectEnvelope(await im.call('/token/new', { ...ok, virtual_user: '' }), 400, 1);
    expectEnvelope(await im.call('/token/new', { bot_idsha: 'botsha', mail: 'v@example.com' }), 400, 1);
    expectEnvelope(await im.call('/token/new', { virtual_user: 'v', bot_idsha: 'botsha' }), 400, 1);
    expectEnvelope(await im.call('/token/new', { ...ok, date_limit: '2018-12-31' }), 400, 1);
    expectEnvelope(await im.call('/token/new', { ...ok, date_limit: '2030-02-30' }), 400, 1);
    expectEnvelope(await im.call('/token/new', { ...ok, max_retries: 0 }), 400, 1);
    expectEnvelope(await im.call('/token/new', { ...ok, bot_idsha: 'nobot' }), 404, 1);
    expectEnvelope(await im.call('/token/new', ok, { key: 'wrong' }), 401, 1);
    expectEnvelope(await im.call('/token/new', ok, { auth: null }), 401, 1);
    expectEnvelope(await im.call('/token/new', ok, { contentType: 'text/plain' }), 415, 1);
    expectEnvelope(await im.call('/token/new', ok, { raw: '{"virtual_user":' }), 400, 1);
    expectEnvelope(await im.call('/no/such', ok), 404, 1);
  });

  it('registers external users idempotently (new pass each time, same apikey) and creates chats as the apikey user', async () => {
    const device = { platform: 'android', deviceName: 'Pixel', hardwareId: 'hw1', osVersion: '14' };
    const first = expectEnvelope(await im.call('/third_parties/user/new', { uniqueIdSha: 'ext_user_1', ...device }), 200, 0);
    expect(first).toEqual({
      virtualUser: 'ext_user_1',
      pass: expect.any(String),
      apikey: expect.any(String),
      previously_registered: false,
    });
    const again = expectEnvelope(await im.call('/third_parties/user/new', { uniqueIdSha: 'ext_user_1' }), 200, 0);
    expect(again).toMatchObject({ virtualUser: 'ext_user_1', apikey: first.apikey, previously_registered: true });
    expect(again.pass).not.toBe(first.pass);
    const login = (pass: string) =>
      server.gql(
        `mutation($a: ID!, $p: String!) { createUserToken(input: { appId: $a, username: "ext_user_1", password: $p }) { accessToken } }`,
        { a: im.app.appId, p: pass },
      );
    expect((await login(first.pass)).body.errors).toBeDefined();
    expect((await login(again.pass)).body.data?.createUserToken.accessToken).toEqual(expect.any(String));

    for (const u of ['ext_user_2', 'ext_user_3']) await im.call('/third_parties/user/new', { uniqueIdSha: u });
    const chat = expectEnvelope(
      await im.call('/chat/create', { type: 'chat', contacts: [{ idsha: 'ext_user_2' }] }, { key: first.apikey }),
      200,
      0,
    );
    expect(chat).toEqual({
      contacts: [
        { idsha: 'ext_user_1', isadmin: 1 },
        { idsha: 'ext_user_2', isadmin: 0 },
      ],
      conversationId: expect.any(String),
      previously_created: false,
    });
    const same = expectEnvelope(
      await im.call('/chat/create', { type: 'chat', contacts: [{ idsha: 'ext_user_2' }] }, { key: first.apikey }),
      200,
      0,
    );
    expect(same).toMatchObject({ conversationId: chat.conversationId, previously_created: true });
    // the chat is a GraphQL conversation of both
    const { conversation } = await server.ok(
      `query($c: ID!) { conversation(id: $c) { kind members { nodes { user { username } } } } }`,
      { c: chat.conversationId },
      im.app.token,
    );
    expect({ kind: conversation.kind, members: conversation.members.nodes.map((m: any) => m.user.username).sort() }).toEqual({
      kind: 'DIRECT',
      members: ['ext_user_1', 'ext_user_2'],
    });

    const group = expectEnvelope(
      await im.call('/chat/create', { type: 'group', contacts: [{ idsha: 'ext_user_2' }, { idsha: 'ext_user_3' }] }, { key: first.apikey }),
      200,
      0,
    );
    expect(group.contacts).toHaveLength(3);
    const groupAgain = expectEnvelope(
      await im.call('/chat/create', { type: 'group', contacts: [{ idsha: 'ext_user_3' }, { idsha: 'ext_user_2' }] }, { key: first.apikey }),
      200,
      0,
    );
    expect(groupAgain).toMatchObject({ conversationId: group.conversationId, previously_created: true });
    expectEnvelope(await im.call('/chat/create', { type: 'chat', contacts: [{ idsha: 'ext_user_2' }] }), 401, 1); // the corporate key is not a user's apikey
    expectEnvelope(await im.call('/chat/create', { type: 'chat', contacts: [{ idsha: 'nobody' }] }, { key: first.apikey }), 404, 1);
    expectEnvelope(
      await im.call('/chat/create', { type: 'chat', contacts: [{ idsha: 'ext_user_2' }, { idsha: 'ext_user_3' }] }, { key: first.apikey }),
      400,
      1,
    );
  });

  it('opens a link once per retry until they are used up, each opening a session that works on GraphQL', async () => {
    const { url } = expectEnvelope(
      await im.call('/token/new', { virtual_user: 'opener', bot_idsha: 'botsha', mail: 'o@example.com', max_retries: 2 }),
      200,
      0,
    );
    const token = url.split('#')[1];
    for (const remaining of [1, 0]) {
      const s = expectEnvelope(await im.call('/web/session', { token }, { auth: null, key: '' }), 200, 0);
      expect(s).toMatchObject({ user: 'opener', bot: 'botsha', remaining });
      const { me } = await server.ok(`{ me { username } }`, {}, s.token);
      expect(me.username).toBe('opener');
    }
    const spent = await im.call('/web/session', { token }, { auth: null, key: '' });
    expectEnvelope(spent, 403, 3);
    expectEnvelope(await im.call('/web/session', { token: 'not-a-link' }, { auth: null, key: '' }), 404, 1);
    await eventually(async () => (receiver.received.length >= 1 ? true : undefined));
  });

  it('refuses a link after its date_limit with a clear code, and serves the same API at the root of IMBEE_PORT', async () => {
    const { url } = expectEnvelope(
      await im.call('/token/new', { virtual_user: 'late', bot_idsha: 'botsha', mail: 'l@example.com' }),
      200,
      0,
    );
    // time passes: the link's last day is now behind us
    await server.app.db.connection.collection('web_access').updateMany({}, { $set: { dateLimit: '2000-01-01' } });
    const expired = await im.call('/web/session', { token: url.split('#')[1] }, { auth: null, key: '' });
    expectEnvelope(expired, 403, 2);
    expect(expired.body.message).toMatch(/expired/);

    const own = await startTestServer({ ...OUTBOX_TEST_ENV, IMBEE_PORT: '0', MONGODB_DB_NAME: server.app.db.connection.name });
    try {
      const { port } = own.app.adapterServers.imbee!.server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${port}/third_parties/user/new`, {
        method: 'POST',
        headers: { authorization: im.app.imbee.authToken, 'x-woos-key': im.app.imbee.corporateKey, 'content-type': 'application/json' },
        body: JSON.stringify({ uniqueIdSha: 'rooted_user' }),
      });
      expect(((await res.json()) as any).body.virtualUser).toBe('rooted_user');
      expect((await fetch(`http://127.0.0.1:${port}/chat`)).status).toBe(200);
    } finally {
      await own.app.close();
    }
  });
});

import { registerUser, startTestServer, userToken, type TestServer } from '../../helpers/harness';
import { runToEnd } from '../../helpers/process';
import { expectGbError, expectOk, gobelieveClient } from './helpers';

describe('GoBelieve customer service', () => {
  let server: TestServer;
  let gb: Awaited<ReturnType<typeof gobelieveClient>>;

  beforeAll(async () => {
    server = await startTestServer();
    gb = await gobelieveClient(server);
  });
  afterAll(() => server.close());

  it('has no store until one is provisioned by the CLI (which prints {storeId, supporter}) or GraphQL', async () => {
    const customer = { appid: gb.app.gobelieve.appId, customer_id: 'c-1', name: 'Carl' };
    expectGbError(await gb.call('POST', '/auth/customer', customer, { auth: null }), 400);
    await registerUser(server, gb.app.token, 'seller');
    const env = { MONGODB_URI: process.env.TEST_MONGODB_URI!, MONGODB_DB_NAME: server.app.config.database.name };
    const created = await runToEnd(
      'dist/src/cli/main.js',
      ['store', 'create', '--app', gb.app.appId, '--name', 'Front desk', '--supporter', 'seller'],
      env,
    );
    expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });
    const printed = JSON.parse(created.stdout);
    expect(printed).toMatchObject({ storeId: expect.any(Number), supporter: 'seller' });

    const { createStore } = await server.ok(
      `mutation { createStore(input: { name: "Second desk", supporter: { username: "seller" } }) { storeId name supporter { username } } }`,
      {},
      gb.app.token,
    );
    expect(createStore).toEqual({ storeId: expect.any(Number), name: 'Second desk', supporter: { username: 'seller' } });
    expect(createStore.storeId).not.toBe(printed.storeId);
    const { stores } = await server.ok(`{ stores { storeId name } }`, {}, gb.app.token);
    expect(stores.map((s: any) => s.name)).toEqual(['Front desk', 'Second desk']);
    const refused = await server.gql(
      `mutation { createStore(input: { name: "x", supporter: { username: "ghost" } }) { storeId } }`,
      {},
      gb.app.token,
    );
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    // now the customer gets a token for the first store
    const auth = expectOk(await gb.call('POST', '/auth/customer', customer, { auth: null }));
    expect(auth).toEqual({ token: expect.any(String), store_id: printed.storeId, client_id: 'c-1' });
  });

  it('shows the store supporter with presence, counts offline messages and lists the customer history', async () => {
    const { token } = expectOk(
      await gb.call('POST', '/auth/customer', { appid: gb.app.gobelieve.appId, customer_id: 'c-2', name: 'Cleo' }, { auth: null }),
    );
    const bearer = `Bearer ${token}`;
    const sup = expectOk(await gb.call('GET', '/supporters', undefined, { auth: bearer }));
    expect(sup).toEqual({ seller_id: 'seller', name: 'seller', avatar: '', status: 'offline' });
    expectGbError(await gb.call('GET', '/supporters'), 401); // server credentials are not a client token
    expectGbError(await gb.call('GET', '/supporters?store_id=999', undefined, { auth: bearer }), 400);

    expect(expectOk(await gb.call('GET', '/messages/offline?customer_id=c-2'))).toEqual({ new: 0 });
    // the supporter answers through GraphQL, in the customer-service conversation
    const seller = await userToken(server, gb.app.appId, 'seller');
    // sign-in opened the conversation: the supporter finds it among theirs, with the customer in it
    const { conversations } = await server.ok(
      `{ conversations(first: 50) { edges { node { id kind members(first: 5) { edges { node { user { username nickname } } } } } } } }`,
      {},
      seller,
    );
    const conv = conversations.edges
      .map((e: any) => e.node)
      .find((n: any) => n.kind === 'CUSTOMER_SERVICE' && n.members.edges.some((m: any) => m.node.user.nickname === 'Cleo'));
    expect(conv.members.edges.map((m: any) => m.node.user.username).sort()).toEqual(['customer:c-2', 'seller']);
    await server.ok(
      `mutation($c: ID!) { sendMessage(input: { conversationId: $c, type: TEXT, text: "How can I help?" }) { id } }`,
      { c: conv.id },
      seller,
    );
    expect(expectOk(await gb.call('GET', '/messages/offline?customer_id=c-2'))).toEqual({ new: 1 });
    const history = expectOk(await gb.call('GET', '/messages', undefined, { auth: bearer }));
    expect(history).toEqual([{ id: expect.any(Number), content: 'How can I help?', timestamp: expect.any(Number) }]);
    expect(Math.abs(history[0].timestamp - Date.now() / 1000)).toBeLessThan(60);
    expectGbError(await gb.call('GET', '/messages/offline'), 400);
    expectGbError(await gb.call('GET', '/messages', undefined, { auth: null }), 401);
  });
});

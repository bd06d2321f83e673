import { errorCode, provisionApp, registerUser, startTestServer, userToken, type TestServer } from '../../helpers/harness';
import { easemobClient } from '../easemob/helpers';
import { expectGbError, expectOk, gobelieveClient } from './helpers';

/**
 * `/auth/customer` takes no credentials (as the vendor document says). It used to hand out a token
 * for any existing user whose username equalled `customer_id`; customers are now their own
 * namespace, and a customer token reaches customer service only.
 */
describe('GoBelieve customers are their own accounts', () => {
  let server: TestServer;
  let gb: Awaited<ReturnType<typeof gobelieveClient>>;
  let em: Awaited<ReturnType<typeof easemobClient>>;
  let alice: { id: string };
  let customer: string;
  const PORTRAIT = 'https://example.com/alice.png';

  beforeAll(async () => {
    server = await startTestServer();
    gb = await gobelieveClient(server);
    alice = await registerUser(server, gb.app.token, 'alice');
    await registerUser(server, gb.app.token, 'bob');
    await registerUser(server, gb.app.token, 'seller');
    await server.ok(`mutation { createStore(input: { name: "Desk", supporter: { username: "seller" } }) { storeId } }`, {}, gb.app.token);
    await server.ok(
      `mutation($p: String) { updateUserProfile(user: { username: "alice" }, input: { profile: { portrait: $p } }) { id } }`,
      { p: PORTRAIT },
      gb.app.token,
    );
    // alice talks with bob: what an impostor would want to read
    const aliceToken = await userToken(server, gb.app.appId, 'alice');
    await server.ok(`mutation { sendMessage(input: { to: { username: "bob" }, type: TEXT, text: "private" }) { id } }`, {}, aliceToken);
    const signedIn = expectOk(
      await gb.call(
        'POST',
        '/auth/customer',
        { appid: gb.app.gobelieve.appId, customer_id: 'alice', name: 'Mallory', avatar: 'https://evil.example/x.png' },
        { auth: null },
      ),
    );
    customer = signedIn.token;
  });
  afterAll(() => server.close());

  it('gives customer_id "alice" an account of its own, not the user alice, and leaves alice untouched', async () => {
    const { viewer } = await server.ok(`{ viewer { kind user { id username nickname } } }`, {}, customer);
    expect(viewer.kind).toBe('CUSTOMER');
    expect(viewer.user.id).not.toBe(alice.id);
    expect(viewer.user).toMatchObject({ username: 'customer:alice', nickname: 'Mallory' });
    const { user } = await server.ok(`{ user(ref: { username: "alice" }) { nickname profile { portrait } } }`, {}, gb.app.token);
    expect(user).toEqual({ nickname: null, profile: { portrait: PORTRAIT } });
    // the app's user list and lookups by username never show customers
    const { users } = await server.ok(`{ users(first: 100) { edges { node { username } } } }`, {}, gb.app.token);
    expect(users.edges.map((e: any) => e.node.username).sort()).toEqual(['alice', 'bob', 'seller']);
    expect(errorCode(await server.gql(`{ user(ref: { username: "customer:alice" }) { id } }`, {}, gb.app.token))).toBe('NOT_FOUND');
  });

  it('reaches only its customer-service conversation: no DMs, no groups, nobody else’s conversations', async () => {
    const { conversations } = await server.ok(`{ conversations { edges { node { id kind } } } }`, {}, customer);
    expect(conversations.edges.map((e: any) => e.node.kind)).toEqual(['CUSTOMER_SERVICE']);
    const cs = conversations.edges[0].node.id;
    await server.ok(
      `mutation($c: ID!) { sendMessage(input: { conversationId: $c, type: TEXT, text: "hi desk" }) { id } }`,
      { c: cs },
      customer,
    );
    const history = expectOk(await gb.call('GET', '/messages', undefined, { auth: `Bearer ${customer}` }));
    expect(history.map((m: any) => m.content)).toEqual(['hi desk']);

    const dm = await server.gql(`mutation { sendMessage(input: { to: { username: "bob" }, type: TEXT, text: "x" }) { id } }`, {}, customer);
    expect(errorCode(dm)).toBe('FORBIDDEN');
    const bobToken = await userToken(server, gb.app.appId, 'bob');
    const { conversations: bobs } = await server.ok(`{ conversations { edges { node { id } } } }`, {}, bobToken);
    const private_ = await server.gql(
      `query($c: ID!) { messages(conversationId: $c) { edges { node { text } } } }`,
      { c: bobs.edges[0].node.id },
      customer,
    );
    expect(errorCode(private_)).toBe('NOT_FOUND');
    expect(errorCode(await server.gql(`mutation { createGroup(input: { name: "g" }) { groupId } }`, {}, customer))).toMatch(
      /UNAUTHENTICATED|FORBIDDEN/,
    );
    expect(errorCode(await server.gql(`{ contacts { username } }`, {}, customer))).toMatch(/UNAUTHENTICATED|FORBIDDEN/);
    // the app cannot pull a customer into a group either: references never find customers
    const { viewer } = await server.ok(`{ viewer { user { id } } }`, {}, customer);
    const { createGroup } = await server.ok(
      `mutation { createGroup(input: { name: "g", owner: { username: "bob" } }) { groupId } }`,
      {},
      gb.app.token,
    );
    const add = await server.gql(
      `mutation($g: Int!, $id: ID!) { addGroupMembers(groupId: $g, members: [{ id: $id }]) { groupId } }`,
      { g: createGroup.groupId, id: viewer.user.id },
      gb.app.token,
    );
    expect(errorCode(add)).toBe('NOT_FOUND');
  });

  it('is refused by every other surface and by GoBelieve server routes', async () => {
    em = await easemobClient(server);
    const sameApp = await em.call('GET', '/users/alice/contacts/users', { token: customer });
    expect(sameApp.status).toBe(401);
    expect(
      expectGbError(
        await gb.call('POST', '/messages/peers', { sender: 1, receiver: 2, content: 'x' }, { auth: `Bearer ${customer}` }),
        401,
      ),
    );
    // and a GoBelieve client route still works for it
    expect(expectOk(await gb.call('GET', '/supporters', undefined, { auth: `Bearer ${customer}` }))).toMatchObject({ seller_id: 'seller' });
  });

  it('answers alike for an unknown app, an app without a store and a deactivated customer', async () => {
    const other = await provisionApp(server);
    const answers = [
      await gb.call('POST', '/auth/customer', { appid: 987654321, customer_id: 'x' }, { auth: null }),
      await gb.call('POST', '/auth/customer', { appid: other.gobelieve.appId, customer_id: 'x' }, { auth: null }),
      await gb.call('POST', '/auth/customer', { appid: gb.app.gobelieve.appId, customer_id: 'x', store_id: 999 }, { auth: null }),
    ];
    const { viewer } = await server.ok(`{ viewer { user { id } } }`, {}, customer);
    await server.ok(`mutation($id: ID!) { deactivateUser(user: { id: $id }) { id } }`, { id: viewer.user.id }, gb.app.token);
    answers.push(await gb.call('POST', '/auth/customer', { appid: gb.app.gobelieve.appId, customer_id: 'alice' }, { auth: null }));
    for (const a of answers) expectGbError(a, 400);
    expect(new Set(answers.map((a) => JSON.stringify(a.body)))).toEqual(new Set([JSON.stringify(answers[0]!.body)]));
    // deactivation revoked the customer's token for good
    expect(errorCode(await server.gql(`{ viewer { kind } }`, {}, customer))).toBe('UNAUTHENTICATED');
  });
});

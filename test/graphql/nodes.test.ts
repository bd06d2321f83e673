import { countCommands, type CommandCounter } from '../../src/db/commands';
import { errorCode, provisionApp, registerUser, startTestServer, userToken, type TestServer } from '../helpers/harness';

// Issue 16: Relay Global Object Identification and the graph's ways back (message → conversation,
// member → conversation), authorised like each entity's own field.
const NODE = `query($id: ID!) { node(id: $id) { __typename id
  ... on User { username appId }
  ... on Conversation { kind }
  ... on Group { name }
  ... on Message { text conversation { id } } } }`;
const NODES = `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`;

describe('node and nodes', () => {
  let server: TestServer;
  let counter: CommandCounter;
  let app: Awaited<ReturnType<typeof provisionApp>>;
  let other: Awaited<ReturnType<typeof provisionApp>>;
  let alice: string;
  let carol: string;
  const ids = {} as Record<'alice' | 'bob' | 'eve' | 'direct' | 'message' | 'group' | 'groupConversation' | 'dissolved', string>;

  beforeAll(async () => {
    server = await startTestServer({ OUTBOX_WORKER: 'false' });
    [app, other] = [await provisionApp(server), await provisionApp(server)];
    ids.alice = (await registerUser(server, app.token, 'alice')).id;
    ids.bob = (await registerUser(server, app.token, 'bob')).id;
    await registerUser(server, app.token, 'carol');
    ids.eve = (await registerUser(server, other.token, 'eve')).id;
    alice = await userToken(server, app.appId, 'alice');
    carol = await userToken(server, app.appId, 'carol');
    const sent = await server.ok(
      `mutation { sendMessage(input: { to: { username: "bob" }, type: TEXT, text: "hi bob" }) { id conversationId } }`,
      {},
      alice,
    );
    [ids.message, ids.direct] = [sent.sendMessage.id, sent.sendMessage.conversationId];
    const group = `mutation($n: String!) { createGroup(input: { name: $n, members: [{ username: "bob" }] }) { id groupId conversation { id } } }`;
    const g = (await server.ok(group, { n: 'team' }, alice)).createGroup;
    [ids.group, ids.groupConversation] = [g.id, g.conversation.id];
    const gone = (await server.ok(group, { n: 'gone' }, alice)).createGroup;
    await server.ok(`mutation($g: Int!) { dissolveGroup(groupId: $g) { id } }`, { g: gone.groupId }, alice);
    ids.dissolved = gone.id;
    counter = countCommands(server.app.db.connection);
  });
  afterAll(async () => {
    counter.stop();
    await server.close();
  });

  const node = async (id: string, token: string) => (await server.ok(NODE, { id }, token)).node;

  it('finds every kind of entity by its id, with its own fields', async () => {
    expect(await node(ids.bob, alice)).toEqual({ __typename: 'User', id: ids.bob, username: 'bob', appId: app.appId });
    expect(await node(ids.direct, alice)).toEqual({ __typename: 'Conversation', id: ids.direct, kind: 'DIRECT' });
    expect(await node(ids.group, alice)).toEqual({ __typename: 'Group', id: ids.group, name: 'team' });
    expect(await node(ids.message, app.token)).toEqual({
      __typename: 'Message',
      id: ids.message,
      text: 'hi bob',
      conversation: { id: ids.direct },
    });
  });

  it('answers null, with no error, for what the caller may not see and for what does not exist', async () => {
    for (const [id, token] of [
      [ids.eve, alice], // another app's user
      [ids.eve, app.token],
      [ids.direct, carol], // a conversation carol is not in, its message and group
      [ids.message, carol],
      [ids.groupConversation, carol],
      [ids.group, carol],
      [ids.dissolved, alice],
      ['0123456789abcdef01234567', alice],
      ['not-an-id', alice],
    ] as const) {
      const res = await server.gql(NODE, { id }, token);
      expect({ id, errors: res.body.errors, node: res.body.data?.node }).toEqual({ id, errors: undefined, node: null });
    }
    const anonymous = await server.gql(NODE, { id: ids.bob });
    expect(anonymous.body.data?.node ?? null).toBeNull();
  });

  it('answers nodes in order, null where hidden, in a fixed number of queries however many ids', async () => {
    const list = [ids.bob, ids.eve, ids.direct, ids.message, ids.group, 'nope', ids.alice];
    counter.reset();
    const { nodes } = await server.ok(NODES, { ids: [...list, ...list, ...list] }, alice);
    expect(nodes.slice(0, 7).map((n: any) => n?.__typename ?? null)).toEqual([
      'User',
      null,
      'Conversation',
      'Message',
      'Group',
      null,
      'User',
    ]);
    expect(nodes.slice(7, 14)).toEqual(nodes.slice(0, 7));
    // One query per kind for all 21 ids, then one more round (conversation, membership) for the
    // conversations of the messages and groups that were not themselves asked for: 7, for any count.
    expect(counter.byName).toEqual({ 'find users': 1, 'find conversations': 2, 'find groups': 1, 'find messages': 1, 'find members': 2 });
    const tooMany = await server.gql(NODES, { ids: Array.from({ length: 101 }, () => ids.bob) }, alice);
    expect(errorCode(tooMany)).toBe('INVALID_INPUT');
  });

  it('leads from a member back to its conversation', async () => {
    const { conversation } = await server.ok(
      `query($c: ID!) { conversation(id: $c) { id members { nodes { user { username } conversation { id kind } } } } }`,
      { c: ids.groupConversation },
      alice,
    );
    expect(conversation.members.nodes).toEqual([
      { user: { username: 'alice' }, conversation: { id: ids.groupConversation, kind: 'GROUP' } },
      { user: { username: 'bob' }, conversation: { id: ids.groupConversation, kind: 'GROUP' } },
    ]);
  });
});

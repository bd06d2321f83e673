import { countCommands, type CommandCounter } from '../../src/db/commands';
import { errorCode, provisionApp, registerUser, startTestServer, userToken, type TestServer } from '../helpers/harness';
import { eventually } from '../outbox/helpers';

// Issue 14: what a warm send, a history page and the checks before them cost in database commands.
// Membership, blocks, the sender and the conversation come from caches that events keep right, so
// the tests below also prove each cache lets a change through at once.
const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }`;

describe('the hot path in database commands', () => {
  let server: TestServer;
  let counter: CommandCounter;
  let app: Awaited<ReturnType<typeof provisionApp>>;
  let alice: string;
  let bob: string;
  let direct: string;
  let group: string;
  beforeAll(async () => {
    server = await startTestServer({ OUTBOX_WORKER: 'false' }); // no idle scans in the counted windows
    app = await provisionApp(server, 'hot-path');
    for (const u of ['alice', 'bob', 'carol']) await registerUser(server, app.token, u);
    alice = await userToken(server, app.appId, 'alice');
    bob = await userToken(server, app.appId, 'bob');
    direct = (await server.ok(`mutation { openDirectConversation(peer: { username: "bob" }) { id } }`, {}, alice)).openDirectConversation
      .id;
    const created = await server.ok(
      `mutation { createGroup(input: { name: "g", members: [{ username: "bob" }, { username: "carol" }] }) { conversation { id } } }`,
      {},
      alice,
    );
    group = created.createGroup.conversation.id;
    counter = countCommands(server.app.db.connection);
  });
  afterAll(async () => {
    counter.stop();
    await server.close();
  });

  const send = (token: string, conversationId: string, text: string) =>
    server.gql(SEND, { i: { conversationId, type: 'TEXT', text } }, token);

  async function counted(run: () => Promise<unknown>, settled: (byName: Record<string, number>) => boolean = () => true) {
    counter.reset();
    await run();
    // Bookkeeping after the answer (the sender's cursor) belongs to the operation too: wait for what
    // is expected however busy the machine, then a quiet moment in which anything more would show.
    await eventually(async () => (settled(counter.byName) ? true : undefined), 10_000, 'the bookkeeping');
    await new Promise((r) => setTimeout(r, 200));
    return { total: counter.total, byName: { ...counter.byName } };
  }

  it.each([
    ['direct', () => direct],
    ['group', () => group],
  ])('a send into a warm %s conversation costs 3 commands: the message, the conversation, the sender cursor', async (kind, conv) => {
    for (const text of ['warm', 'warmer']) expect((await send(alice, conv(), text)).body.errors).toBeUndefined();
    const cost = await counted(
      async () => expect((await send(alice, conv(), 'counted')).body.errors).toBeUndefined(),
      (byName) => byName['update members'] !== undefined,
    );
    expect(cost.byName).toEqual({ 'insert messages': 1, 'update conversations': 1, 'update members': 1 });
    console.log(`warm send (${kind}): ${cost.total} ${JSON.stringify(cost.byName)}`);
  });

  it('a history page of 50 costs at most 2 commands', async () => {
    for (let i = 0; i < 50; i++) await send(i % 2 ? alice : bob, group, `m${i}`);
    const q = `query($c: ID!) { messages(conversationId: $c, last: 50) { edges { node { seq text sender { username } } } } }`;
    await server.ok(q, { c: group }, alice);
    let page: any;
    const cost = await counted(async () => (page = await server.ok(q, { c: group }, alice)));
    expect(page.messages.edges).toHaveLength(50);
    expect(page.messages.edges.at(-1).node.sender.username).toBeDefined();
    expect(cost.total).toBeLessThanOrEqual(2);
    console.log(`history page of 50: ${cost.total} ${JSON.stringify(cost.byName)}`);
  });

  it('counts a cold send above the warm one, so the pins above cannot pass vacuously', async () => {
    await registerUser(server, app.token, 'dave');
    const cost = await counted(() => server.ok(SEND, { i: { to: { username: 'dave' }, type: 'TEXT', text: 'first contact' } }, alice));
    expect(cost.total).toBeGreaterThan(3);
  });

  it('refuses the next send once the recipient blocks the sender, and accepts it again after unblocking', async () => {
    expect((await send(alice, direct, 'before')).body.errors).toBeUndefined();
    await server.ok(`mutation { blockUsers(users: [{ username: "alice" }]) { username } }`, {}, bob);
    const refused = await send(alice, direct, 'blocked');
    expect(errorCode(refused)).toBe('FORBIDDEN');
    expect(refused.body.errors![0]!.extensions!.reason).toBe('blocked');
    await server.ok(`mutation { unblockUser(user: { username: "alice" }) { username } }`, {}, bob);
    expect((await send(alice, direct, 'after')).body.errors).toBeUndefined();
  });

  it('sees a removed member and a profile change at once', async () => {
    const carol = await userToken(server, app.appId, 'carol');
    expect((await send(carol, group, 'still here')).body.errors).toBeUndefined();
    const { conversation } = await server.ok(`query($c: ID!) { conversation(id: $c) { group { groupId } } }`, { c: group }, alice);
    await server.ok(`mutation($g: Int!) { leaveGroup(groupId: $g) { groupId } }`, { g: conversation.group.groupId }, carol);
    expect(errorCode(await send(carol, group, 'gone'))).toBe('NOT_FOUND');
    await server.ok(`mutation { updateUserProfile(input: { nickname: "Alice A." }) { nickname } }`, {}, alice);
    expect((await server.ok(`{ me { nickname } }`, {}, alice)).me.nickname).toBe('Alice A.');
  });
});

import { errorCode, provisionApp, registerUser, sleep, startTestServer, userToken, type TestServer } from '../helpers/harness';
import { listening, subscribe } from '../helpers/live';
import { eventually } from '../outbox/helpers';

const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { id seq uid cursor conversationId type text clientMessageId sender { username } } }`;

describe('messaging', () => {
  let server: TestServer;
  let app: Awaited<ReturnType<typeof provisionApp>>;
  const tokens: Record<string, any> = {};
  beforeAll(async () => {
    server = await startTestServer();
    app = await provisionApp(server, 'msg-app');
    for (const u of ['ann', 'ben', 'cat', 'dan']) {
      await registerUser(server, app.token, u);
      tokens[u] = await userToken(server, app.appId, u);
    }
  });
  afterAll(() => server.close());

  const send = (who: string, input: Record<string, unknown>) => server.gql(SEND, { i: { type: 'TEXT', ...input } }, tokens[who]);
  const direct = async (a: string, b: string) =>
    (
      await server.ok(
        `mutation($p: UserRef!) { openDirectConversation(peer: $p) { id previouslyCreated kind } }`,
        { p: { username: b } },
        tokens[a],
      )
    ).openDirectConversation;

  it('opens a direct conversation once; opening again reports previouslyCreated', async () => {
    const first = await direct('ann', 'ben');
    expect(first).toMatchObject({ kind: 'DIRECT', previouslyCreated: false });
    const again = await direct('ben', 'ann');
    expect(again).toEqual({ ...first, previouslyCreated: true });
    expect(errorCode(await server.gql(`mutation { openDirectConversation(peer: { username: "ann" }) { id } }`, {}, tokens.ann))).toBe(
      'INVALID_INPUT',
    );
  });

  it('sends with gap-free seq under concurrent senders', async () => {
    const conv = await server.ok(
      `mutation { createGroup(input: { name: "race", members: [{ username: "ben" }, { username: "cat" }] }) { conversation { id } } }`,
      {},
      tokens.ann,
    );
    const conversationId = conv.createGroup.conversation.id;
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => send(['ann', 'ben', 'cat'][i % 3]!, { conversationId, text: `m${i}` })),
    );
    const seqs = results.map((r) => r.body.data!.sendMessage.seq as number).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const uids = new Set(results.map((r) => r.body.data!.sendMessage.uid));
    expect(uids.size).toBe(30);
    for (const uid of uids) expect(uid).toBeLessThan(2 ** 53);
  });

  it('stores a retried send with the same clientMessageId once', async () => {
    const { id: conversationId } = await direct('ann', 'cat');
    const input = { conversationId, text: 'once', clientMessageId: 'client-42' };
    const [a, b, c] = await Promise.all([send('ann', input), send('ann', input), send('ann', input)]);
    expect(b.body.data!.sendMessage.id).toBe(a.body.data!.sendMessage.id);
    expect(c.body.data!.sendMessage.id).toBe(a.body.data!.sendMessage.id);
    const { messages } = await server.ok(
      `query($c: ID!) { messages(conversationId: $c, first: 50) { nodes { text } } }`,
      { c: conversationId },
      tokens.cat,
    );
    expect(messages.nodes.filter((n: { text: string }) => n.text === 'once')).toHaveLength(1);
  });

  it('refuses a blocked sender on a direct message, and lets them through once unblocked', async () => {
    const { id: conversationId } = await direct('dan', 'ann');
    await server.ok(`mutation { blockUsers(users: [{ username: "dan" }]) { username } }`, {}, tokens.ann);
    const res = await send('dan', { conversationId, text: 'hi' });
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.body.errors![0]!.extensions!.reason).toBe('blocked');
    expect((await send('ann', { conversationId, text: 'you cannot answer' })).body.errors).toBeUndefined();
    const { blockedUsers } = await server.ok(`{ blockedUsers { username } }`, {}, tokens.ann);
    expect(blockedUsers).toEqual([{ username: 'dan' }]);
    await server.ok(`mutation { unblockUser(user: { username: "dan" }) { username } }`, {}, tokens.ann);
    expect((await send('dan', { conversationId, text: 'hi again' })).body.errors).toBeUndefined();
  });

  it('refuses a muted group member and a non-member', async () => {
    const { createGroup } = await server.ok(
      `mutation { createGroup(input: { name: "quiet", members: [{ username: "ben" }] }) { groupId conversation { id } } }`,
      {},
      tokens.ann,
    );
    await server.ok(
      `mutation($g: Int!) { updateGroupMember(groupId: $g, user: { username: "ben" }, input: { muted: true }) { muted } }`,
      { g: createGroup.groupId },
      tokens.ann,
    );
    const muted = await send('ben', { conversationId: createGroup.conversation.id, text: 'x' });
    expect(errorCode(muted)).toBe('FORBIDDEN');
    expect(muted.body.errors![0]!.extensions!.reason).toBe('muted');
    expect(errorCode(await send('cat', { conversationId: createGroup.conversation.id, text: 'x' }))).toBe('NOT_FOUND');
    const read = await server.gql(
      `query($c: ID!) { messages(conversationId: $c) { nodes { id } } }`,
      { c: createGroup.conversation.id },
      tokens.cat,
    );
    expect(errorCode(read)).toBe('NOT_FOUND');
  });

  it('pages history forward and backward by cursor', async () => {
    const { id: conversationId } = await direct('ben', 'cat');
    for (let i = 1; i <= 7; i++) await send('ben', { conversationId, text: `h${i}` });
    const q = `query($c: ID!, $f: Int, $a: String, $l: Int, $b: String) { messages(conversationId: $c, first: $f, after: $a, last: $l, before: $b) {
      edges { cursor node { text seq } } pageInfo { hasNextPage hasPreviousPage endCursor startCursor } } }`;
    const p1 = (await server.ok(q, { c: conversationId, f: 3 }, tokens.cat)).messages;
    expect(p1.edges.map((e: any) => e.node.text)).toEqual(['h1', 'h2', 'h3']);
    expect(p1.pageInfo.hasNextPage).toBe(true);
    const p2 = (await server.ok(q, { c: conversationId, f: 3, a: p1.pageInfo.endCursor }, tokens.cat)).messages;
    expect(p2.edges.map((e: any) => e.node.text)).toEqual(['h4', 'h5', 'h6']);
    const tail = (await server.ok(q, { c: conversationId, l: 2 }, tokens.cat)).messages;
    expect(tail.edges.map((e: any) => e.node.text)).toEqual(['h6', 'h7']);
    expect(tail.pageInfo.hasPreviousPage).toBe(true);
    const back = (await server.ok(q, { c: conversationId, l: 2, b: tail.pageInfo.startCursor }, tokens.cat)).messages;
    expect(back.edges.map((e: any) => e.node.text)).toEqual(['h4', 'h5']);
    for (const bad of [{ f: 0 }, { f: 101 }, { a: 'nope' }, { f: 1, l: 1 }]) {
      expect(errorCode(await server.gql(q, { c: conversationId, ...bad }, tokens.cat))).toBe('INVALID_INPUT');
    }
  });

  it('lists conversations newest first with last message and unread count; read cursors move', async () => {
    const { id: conversationId } = await direct('cat', 'dan');
    await send('cat', { conversationId, text: 'latest' });
    const { conversations } = await server.ok(
      `{ conversations(first: 10) { nodes { id unreadCount lastMessage { text sender { username } } members { nodes { user { username } } } } } }`,
      {},
      tokens.dan,
    );
    expect(conversations.nodes[0]).toMatchObject({
      id: conversationId,
      unreadCount: 1,
      lastMessage: { text: 'latest', sender: { username: 'cat' } },
    });
    const { offlineCounts } = await server.ok(`{ offlineCounts { total perConversation { conversationId count } } }`, {}, tokens.dan);
    expect(offlineCounts.perConversation).toContainEqual({ conversationId, count: 1 });
    await server.ok(`mutation($c: ID!) { markConversationRead(conversationId: $c) { readSeq } }`, { c: conversationId }, tokens.dan);
    const after = await server.ok(`{ conversations(first: 1) { nodes { unreadCount } } }`, {}, tokens.dan);
    expect(after.conversations.nodes[0].unreadCount).toBe(0);
    const again = await server.ok(`{ offlineCounts { perConversation { conversationId count } } }`, {}, tokens.dan);
    expect(again.offlineCounts.perConversation.find((c: any) => c.conversationId === conversationId)).toBeUndefined();
  });

  it('recalls by the sender only (or the app)', async () => {
    const { id: conversationId } = await direct('ann', 'ben');
    const sent = (await send('ann', { conversationId, text: 'oops' })).body.data!.sendMessage;
    const q = `mutation($m: ID!) { recallMessage(messageId: $m) { recalled } }`;
    expect(errorCode(await server.gql(q, { m: sent.id }, tokens.ben))).toBe('FORBIDDEN');
    expect((await server.ok(q, { m: sent.id }, tokens.ann)).recallMessage.recalled).toBe(true);
    expect(errorCode(await server.gql(q, { m: sent.id }, tokens.cat))).toBe('NOT_FOUND');
  });

  it('validates message input', async () => {
    const { id: conversationId } = await direct('ann', 'dan');
    for (const [input, field] of [
      [{ conversationId, type: 'TEXT' }, 'text'],
      [{ conversationId, type: 'IMAGE' }, 'url'],
      [{ conversationId, type: 'IMAGE', url: 'javascript:x' }, 'url'],
      [{ conversationId, type: 'CUSTOM', payload: '{bad' }, 'payload'],
      [{ type: 'TEXT', text: 'x' }, 'conversationId'],
      [{ conversationId, type: 'TEXT', text: 'x', clientMessageId: '' }, 'clientMessageId'],
    ] as const) {
      const res = await server.gql(SEND, { i: input }, tokens.ann);
      expect(errorCode(res)).toBe('INVALID_INPUT');
      expect(res.body.errors![0]!.extensions!.field).toBe(field);
    }
  });

  it('resumes a subscription with after: every message exactly once, in order, even with sends during replay', async () => {
    const { id: conversationId } = await direct('ben', 'dan');
    for (let i = 0; i < 5; i++) await send('ben', { conversationId, text: `r${i}` });
    const Q = `subscription($c: ID, $a: String) { messageAdded(conversationId: $c, after: $a) { seq text cursor } }`;
    const first = subscribe(server.wsUrl, tokens.dan, Q, { c: conversationId, a: Buffer.from('m:0').toString('base64url') });
    await first.waitFor(5);
    const cursor = first.received[2].data.messageAdded.cursor; // disconnect after seq 3
    await first.close();
    for (let i = 5; i < 10; i++) await send('ben', { conversationId, text: `r${i}` });
    const resumed = subscribe(server.wsUrl, tokens.dan, Q, { c: conversationId, a: cursor });
    const concurrent = Promise.all(Array.from({ length: 10 }, (_, i) => send('ben', { conversationId, text: `r${10 + i}` })));
    await concurrent;
    await resumed.waitFor(17);
    await sleep(200);
    expect(resumed.received.map((r) => r.data.messageAdded.seq)).toEqual(Array.from({ length: 17 }, (_, i) => i + 4));
    await resumed.close();
  });

  it('ends a subscription when the member leaves, and refuses non-members', async () => {
    const { createGroup } = await server.ok(
      `mutation { createGroup(input: { name: "leavers", members: [{ username: "cat" }] }) { groupId conversation { id } } }`,
      {},
      tokens.ann,
    );
    const sub = await listening(server, () =>
      subscribe(server.wsUrl, tokens.cat, `subscription($c: ID) { messageAdded(conversationId: $c) { text } }`, {
        c: createGroup.conversation.id,
      }),
    );
    await send('ann', { conversationId: createGroup.conversation.id, text: 'before' });
    await sub.waitFor(1);
    await server.ok(`mutation($g: Int!) { leaveGroup(groupId: $g) { groupId } }`, { g: createGroup.groupId }, tokens.cat);
    await eventually(async () => (sub.isCompleted() ? true : undefined), 10_000, 'the subscription ended');
    const outsider = subscribe(server.wsUrl, tokens.dan, `subscription($c: ID) { messageAdded(conversationId: $c) { text } }`, {
      c: createGroup.conversation.id,
    });
    const refused = () => outsider.received.length > 0 || outsider.errors.length > 0;
    for (const deadline = Date.now() + 10_000; !refused() && Date.now() < deadline;) await sleep(20);
    expect(outsider.received[0]?.errors?.[0]?.extensions?.code ?? (outsider.errors[0] as any)?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await sub.close();
    await outsider.close();
  });

  it('tracks presence with sockets, answers batch status, and force-disconnects', async () => {
    const q = `query($u: [String!]!) { presence(usernames: $u) { username online } }`;
    expect((await server.ok(q, { u: ['ann', 'ghost'] }, app.token)).presence).toEqual([
      { username: 'ann', online: false },
      { username: 'ghost', online: false },
    ]);
    const watch = await listening(server, () =>
      subscribe(server.wsUrl, app.token, `subscription { presenceChanged(usernames: ["ann"]) { user { username } online } }`),
    );
    const live = subscribe(server.wsUrl, tokens.ann, `subscription { messageAdded { text } }`);
    await watch.waitFor(1);
    expect((await server.ok(q, { u: ['ann'] }, app.token)).presence).toEqual([{ username: 'ann', online: true }]);
    const { disconnectUser } = await server.ok(`mutation { disconnectUser(user: { username: "ann" }) { closed } }`, {}, app.token);
    expect(disconnectUser.closed).toBe(1);
    await watch.waitFor(2);
    expect(watch.received.map((r) => r.data.presenceChanged.online)).toEqual([true, false]);
    expect((await server.ok(q, { u: ['ann'] }, app.token)).presence).toEqual([{ username: 'ann', online: false }]);
    expect(errorCode(await server.gql(q, { u: Array.from({ length: 101 }, (_, i) => `u${i}`) }, app.token))).toBe('INVALID_INPUT');
    await live.close();
    await watch.close();
  });
});

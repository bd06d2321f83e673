import crypto from 'node:crypto';
import { Types } from 'mongoose';
import { usernameKey } from '../../src/users/rules';
import { errorCode, provisionApp, registerUser, sleep, startTestServer, userToken, type TestServer } from '../helpers/harness';
import { listening, subscribe } from '../helpers/live';

const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { id seq uid cursor transient type text sender { username } } }`;
const ADDED = `subscription($c: ID) { messageAdded(conversationId: $c) { id seq text transient type } }`;

describe('conversations, live events and limits', () => {
  let server: TestServer;
  let app: Awaited<ReturnType<typeof provisionApp>>;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    server = await startTestServer();
    app = await provisionApp(server, 'conv-app');
    for (const u of ['alice', 'bob', 'carol', 'store']) {
      await registerUser(server, app.token, u);
      tokens[u] = await userToken(server, app.appId, u);
    }
  });
  afterAll(() => server.close());

  const send = (token: string, input: Record<string, unknown>) => server.gql(SEND, { i: { type: 'TEXT', ...input } }, token);
  const direct = async (a: string, b: string) =>
    (await server.ok(`mutation($p: UserRef!) { openDirectConversation(peer: $p) { id } }`, { p: { username: b } }, tokens[a]))
      .openDirectConversation.id as string;

  it('keeps one system conversation per user, written by the app only', async () => {
    const open = `mutation($u: UserRef) { openSystemConversation(user: $u) { id kind previouslyCreated members { nodes { user { username } } } } }`;
    const first = (await server.ok(open, { u: { username: 'alice' } }, app.token)).openSystemConversation;
    expect(first).toMatchObject({ kind: 'SYSTEM', previouslyCreated: false, members: { nodes: [{ user: { username: 'alice' } }] } });
    const mine = (await server.ok(open, {}, tokens.alice)).openSystemConversation;
    expect(mine).toMatchObject({ id: first.id, previouslyCreated: true });
    const notice = await send(app.token, { conversationId: first.id, type: 'SYSTEM', text: 'maintenance tonight' });
    expect(notice.body.data!.sendMessage).toMatchObject({ type: 'SYSTEM', sender: null, seq: 1 });
    expect(errorCode(await send(tokens.alice!, { conversationId: first.id, text: 'reply' }))).toBe('FORBIDDEN');
    expect(errorCode(await send(app.token, { conversationId: first.id, type: 'TEXT', text: 'no sender' }))).toBe('INVALID_INPUT');
    const { conversations } = await server.ok(
      `{ conversations(first: 5) { nodes { kind unreadCount lastMessage { text } } } }`,
      {},
      tokens.alice,
    );
    expect(conversations.nodes).toContainEqual({ kind: 'SYSTEM', unreadCount: 1, lastMessage: { text: 'maintenance tonight' } });
    expect(errorCode(await server.gql(open, {}, app.token))).toBe('INVALID_INPUT');
  });

  it('opens one customer-service conversation per store and customer', async () => {
    const open = `mutation($s: UserRef!, $c: UserRef) { openCustomerServiceConversation(store: $s, customer: $c) { id kind previouslyCreated members { nodes { user { username } } } } }`;
    const conv = (await server.ok(open, { s: { username: 'store' } }, tokens.bob)).openCustomerServiceConversation;
    expect(conv).toMatchObject({ kind: 'CUSTOMER_SERVICE', previouslyCreated: false });
    expect(conv.members.nodes.map((m: any) => m.user.username).sort()).toEqual(['bob', 'store']);
    const again = (await server.ok(open, { s: { username: 'store' }, c: { username: 'bob' } }, app.token)).openCustomerServiceConversation;
    expect(again).toMatchObject({ id: conv.id, previouslyCreated: true });
    await send(tokens.store!, { conversationId: conv.id, text: 'how can we help?' });
    const { messages } = await server.ok(
      `query($c: ID!) { messages(conversationId: $c) { nodes { text sender { username } } } }`,
      { c: conv.id },
      tokens.bob,
    );
    expect(messages.nodes).toEqual([{ text: 'how can we help?', sender: { username: 'store' } }]);
    expect(errorCode(await server.gql(open, { s: { username: 'bob' } }, tokens.bob))).toBe('INVALID_INPUT');
    expect(errorCode(await server.gql(open, { s: { username: 'ghost' } }, tokens.bob))).toBe('NOT_FOUND');
    expect(
      errorCode(await server.gql(`query($c: ID!) { messages(conversationId: $c) { nodes { id } } }`, { c: conv.id }, tokens.carol)),
    ).toBe('NOT_FOUND');
  });

  it('announces recalls to subscribers of the conversation', async () => {
    const c = await direct('alice', 'bob');
    const recalls = await listening(server, () =>
      subscribe(server.wsUrl, tokens.bob!, `subscription($c: ID!) { messageRecalled(conversationId: $c) { id recalled text } }`, { c }),
    );
    const sent = (await send(tokens.alice!, { conversationId: c, text: 'take it back' })).body.data!.sendMessage;
    await server.ok(`mutation($m: ID!) { recallMessage(messageId: $m) { id } }`, { m: sent.id }, tokens.alice);
    const [event] = await recalls.waitFor(1);
    expect(event.data.messageRecalled).toEqual({ id: sent.id, recalled: true, text: 'take it back' });
    await recalls.close();
    const outsider = subscribe(server.wsUrl, tokens.carol!, `subscription($c: ID!) { messageRecalled(conversationId: $c) { id } }`, { c });
    const refused = () => JSON.stringify([outsider.received, outsider.errors]).includes('NOT_FOUND');
    for (const deadline = Date.now() + 10_000; !refused() && Date.now() < deadline;) await sleep(20);
    expect(JSON.stringify([outsider.received, outsider.errors])).toContain('NOT_FOUND');
    await outsider.close();
    expect(errorCode(await server.gql(`mutation { recallMessage(messageId: "nope") { id } }`, {}, tokens.alice))).toBe('NOT_FOUND');
  });

  it('delivers online-only notifications to connected members without storing them', async () => {
    const c = await direct('alice', 'carol');
    const live = await listening(server, () => subscribe(server.wsUrl, tokens.carol!, ADDED, { c }));
    const res = await send(tokens.alice!, { conversationId: c, type: 'NOTIFICATION', text: 'typing…', persist: false });
    expect(res.body.data!.sendMessage).toMatchObject({ transient: true, seq: null, cursor: null, type: 'NOTIFICATION' });
    const [event] = await live.waitFor(1);
    expect(event.data.messageAdded).toMatchObject({ text: 'typing…', transient: true, seq: null });
    await live.close();
    const { messages } = await server.ok(`query($c: ID!) { messages(conversationId: $c) { nodes { id } } }`, { c }, tokens.carol);
    expect(messages.nodes).toEqual([]);
    expect(errorCode(await send(tokens.alice!, { conversationId: c, text: 'plain', persist: false }))).toBe('INVALID_INPUT');
  });

  it('reports per-message delivery status from delivery and read cursors', async () => {
    const { createGroup } = await server.ok(
      `mutation { createGroup(input: { name: "status", members: [{ username: "bob" }, { username: "carol" }] }) { conversation { id } } }`,
      {},
      tokens.alice,
    );
    const c = createGroup.conversation.id;
    const live = await listening(server, () => subscribe(server.wsUrl, tokens.bob!, ADDED, { c })); // bob is online, carol is not
    const sent = (await send(tokens.alice!, { conversationId: c, text: 'status?' })).body.data!.sendMessage;
    await live.waitFor(1);
    const q = `query($m: ID!) { messageDeliveryStatus(messageId: $m) { user { username } delivered read } }`;
    let status: any[] = [];
    for (let i = 0; i < 50; i++) {
      // the delivery recorder writes after the frame goes out
      status = (await server.ok(q, { m: sent.id }, tokens.alice)).messageDeliveryStatus;
      if (status.find((s) => s.user.username === 'bob')?.delivered) break;
      await sleep(50);
    }
    expect(status).toEqual([
      { user: { username: 'bob' }, delivered: true, read: false },
      { user: { username: 'carol' }, delivered: false, read: false },
    ]);
    await server.ok(`mutation($c: ID!) { markConversationRead(conversationId: $c) { readSeq } }`, { c }, tokens.carol);
    status = (await server.ok(q, { m: sent.id }, app.token)).messageDeliveryStatus;
    expect(status[1]).toEqual({ user: { username: 'carol' }, delivered: true, read: true });
    await live.close();
    expect(errorCode(await server.gql(q, { m: sent.id }, tokens.store))).toBe('NOT_FOUND');
    const badSeq = await server.gql(
      `mutation($c: ID!) { markConversationRead(conversationId: $c, seq: -1) { readSeq } }`,
      { c },
      tokens.carol,
    );
    expect(errorCode(badSeq)).toBe('INVALID_INPUT');
  });

  it('ends a live subscription when its token is revoked, and when it expires', async () => {
    const c = await direct('bob', 'carol');
    const revocable = await userToken(server, app.appId, 'carol');
    const shortLived = await userToken(server, app.appId, 'carol', 'secret-pass', 2);
    const [revoked, expiring] = await listening(
      server,
      () => [subscribe(server.wsUrl, revocable, ADDED, { c }), subscribe(server.wsUrl, shortLived, ADDED, { c })],
      2,
    );
    await send(tokens.bob!, { conversationId: c, text: 'one' });
    await revoked.waitFor(1);
    await expiring.waitFor(1);
    await server.ok(`mutation($t: String) { revokeToken(token: $t) }`, { t: revocable }, app.token);
    const ended = async (sub: ReturnType<typeof subscribe>, ms: number) => {
      const deadline = Date.now() + ms;
      while (!sub.errors.length && !sub.isCompleted() && Date.now() < deadline) await sleep(50);
      return sub.errors.length > 0 || sub.isCompleted();
    };
    expect(await ended(revoked, 3_000)).toBe(true);
    expect(await ended(expiring, 5_000)).toBe(true);
    await send(tokens.bob!, { conversationId: c, text: 'two' });
    await sleep(200);
    expect(revoked.received).toHaveLength(1);
    expect(expiring.received).toHaveLength(1);
    await revoked.close();
    await expiring.close();
  });

  it('releases every server-side subscription when clients go away', async () => {
    const pubsub = server.app.services.events;
    const c = await direct('alice', 'store');
    const baseline = pubsub.subscriptionCount();
    const subs = [
      subscribe(server.wsUrl, tokens.store!, ADDED, { c }),
      subscribe(server.wsUrl, tokens.store!, ADDED),
      subscribe(server.wsUrl, tokens.store!, `subscription($c: ID!) { messageRecalled(conversationId: $c) { id } }`, { c }),
      subscribe(server.wsUrl, tokens.store!, `subscription { conversationChanged { change } }`),
      subscribe(server.wsUrl, app.token, `subscription { presenceChanged { online } }`),
    ];
    for (let i = 0; i < 100 && pubsub.subscriptionCount() <= baseline + subs.length; i++) await sleep(50);
    expect(pubsub.subscriptionCount()).toBeGreaterThan(baseline + subs.length);
    await Promise.all(subs.map((s) => s.close())); // idle streams: no event arrives to wake them
    for (let i = 0; i < 50 && pubsub.subscriptionCount() !== baseline; i++) await sleep(20);
    expect(pubsub.subscriptionCount()).toBe(baseline);
  });

  describe('contact and block limits', () => {
    // 1,001 throw-away users written straight to the database: registering them through the API
    // would spend most of a minute hashing passwords, and the limits are what is under test here.
    let owner: { id: string };
    let crowd: string[];
    beforeAll(async () => {
      owner = (await server.ok(`{ me { id } }`, {}, tokens.alice)).me;
      const appId = new Types.ObjectId(app.appId);
      const now = new Date();
      const docs = Array.from({ length: 1001 }, (_, i) => ({
        _id: new Types.ObjectId(),
        appId,
        username: `crowd${i}`,
        usernameKey: usernameKey(`crowd${i}`),
        uuid: crypto.randomUUID(),
        passwordHash: 'not-a-login',
        activated: true,
        createdAt: now,
        updatedAt: now,
      }));
      await server.app.db.connection.collection('users').insertMany(docs);
      crowd = docs.map((d) => d._id.toHexString());
    });

    it('stops at 1,000 contacts with a clear error, and frees a place on removal', async () => {
      const me = new Types.ObjectId(owner.id);
      await server.app.db.connection
        .collection('contacts')
        .insertMany(
          crowd
            .slice(0, 1000)
            .map((id) => ({ appId: new Types.ObjectId(app.appId), ownerId: me, otherId: new Types.ObjectId(id), createdAt: new Date() })),
        );
      const add = `mutation($u: String!) { addContact(contact: { username: $u }) { username } }`;
      const over = await server.gql(add, { u: 'crowd1000' }, tokens.alice);
      expect(errorCode(over)).toBe('INVALID_INPUT');
      expect(over.body.errors![0]!.extensions!.reason).toBe('limit_exceeded');
      expect((await server.ok(add, { u: 'crowd5' }, tokens.alice)).addContact.username).toBe('crowd5'); // already a contact: no-op
      await server.ok(`mutation { removeContact(contact: { username: "crowd0" }) { username } }`, {}, tokens.alice);
      expect((await server.ok(add, { u: 'crowd1000' }, tokens.alice)).addContact.username).toBe('crowd1000');
      expect((await server.ok(`{ contacts { id } }`, {}, tokens.alice)).contacts).toHaveLength(1000);
      expect(errorCode(await server.gql(add, { u: 'alice' }, tokens.alice))).toBe('INVALID_INPUT');
      expect(errorCode(await server.gql(add, { u: 'ghost' }, tokens.alice))).toBe('NOT_FOUND');
      // Removing a user who is not a contact is a no-op that succeeds (retries are safe).
      expect(
        (await server.ok(`mutation { removeContact(contact: { username: "bob" }) { username } }`, {}, tokens.alice)).removeContact.username,
      ).toBe('bob');
    });

    it('blocks up to 500 users, in one call, and refuses the 501st', async () => {
      const block = `mutation($u: [UserRef!]!) { blockUsers(users: $u) { id } }`;
      const five00 = crowd.slice(0, 500).map((_, i) => ({ username: `crowd${i}` }));
      expect((await server.ok(block, { u: five00 }, tokens.bob)).blockUsers).toHaveLength(500);
      const over = await server.gql(block, { u: [{ username: 'crowd900' }] }, tokens.bob);
      expect(errorCode(over)).toBe('INVALID_INPUT');
      expect(over.body.errors![0]!.extensions!.reason).toBe('limit_exceeded');
      expect(errorCode(await server.gql(block, { u: [] }, tokens.bob))).toBe('INVALID_INPUT');
      expect(errorCode(await server.gql(block, { u: [{ username: 'ghost' }] }, tokens.bob))).toBe('NOT_FOUND');
      expect(errorCode(await server.gql(block, { u: [{ id: 'x', username: 'crowd1' }] }, tokens.bob))).toBe('INVALID_INPUT');
      expect((await server.ok(`{ blockedUsers { id } }`, {}, tokens.bob)).blockedUsers).toHaveLength(500);
    });
  });
});

describe('shared subscription execution', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('shares results between subscribers but never a viewer-dependent field', async () => {
    const app = await provisionApp(server, 'shared-app');
    const tokens: Record<string, string> = {};
    for (const u of ['sam', 'tom', 'uma']) {
      await registerUser(server, app.token, u);
      tokens[u] = await userToken(server, app.appId, u);
    }
    await server.ok(`mutation { setDeviceToken(input: { provider: FCM, token: "sam-device" }) { id } }`, {}, tokens.sam);
    const { createGroup } = await server.ok(
      `mutation { createGroup(input: { name: "s", members: [{ username: "tom" }, { username: "uma" }] }) { conversation { id } } }`,
      {},
      tokens.sam,
    );
    const c = createGroup.conversation.id;
    const PRIVATE = `subscription($c: ID) { messageAdded(conversationId: $c) { text sender { username deviceTokens { token } } } }`;
    const PLAIN = `subscription($c: ID) { messageAdded(conversationId: $c) { text seq sender { username } } }`;
    const subs = await listening(
      server,
      () => [
        subscribe(server.wsUrl, tokens.sam!, PRIVATE, { c }),
        subscribe(server.wsUrl, tokens.tom!, PRIVATE, { c }),
        subscribe(server.wsUrl, tokens.tom!, PLAIN, { c }),
        subscribe(server.wsUrl, tokens.uma!, PLAIN, { c }),
      ],
      4,
    );
    await server.ok(
      `mutation($c: ID!) { sendMessage(input: { conversationId: $c, type: TEXT, text: "shared" }) { id } }`,
      { c },
      tokens.sam,
    );
    const [samSees, tomSees, tomPlain, umaPlain] = await Promise.all(subs.map(async (s) => (await s.waitFor(1))[0].data.messageAdded));
    expect(samSees.sender).toEqual({ username: 'sam', deviceTokens: [{ token: 'sam-device' }] });
    expect(tomSees.sender).toEqual({ username: 'sam', deviceTokens: null });
    expect(tomPlain).toEqual({ text: 'shared', seq: 1, sender: { username: 'sam' } });
    expect(umaPlain).toEqual(tomPlain);
    await Promise.all(subs.map((s) => s.close()));
  });
});

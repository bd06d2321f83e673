import { provisionApp, registerUser, userToken, wsHandshake } from '../helpers/harness';
import { clusterEnv, startInstance, type Instance } from '../helpers/cluster';
import { listening, subscribe } from '../helpers/live';
import { eventually } from '../outbox/helpers';

const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }`;

// Two real server processes on one database and the machine's Redis (REDIS_URL): one cluster.
describe('two instances with Redis', () => {
  let a: Instance;
  let b: Instance;
  let app: Awaited<ReturnType<typeof provisionApp>>;
  beforeAll(async () => {
    const env = clusterEnv();
    [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
    app = await provisionApp(a.server, 'cluster');
    for (const u of ['alice', 'bob', 'carol']) await registerUser(a.server, app.token, u);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('reports Redis in /readyz', async () => {
    expect(await (await fetch(`${b.server.url}/readyz`)).json()).toEqual({ status: 'ready', database: 'up', redis: 'up' });
  });

  it('delivers a message sent on A live to a subscriber on B, and closes a socket on B when A revokes its token', async () => {
    const alice = await userToken(a.server, app.appId, 'alice');
    const bob = await userToken(b.server, app.appId, 'bob');
    const { openDirectConversation } = await a.server.ok(
      `mutation { openDirectConversation(peer: { username: "bob" }) { id } }`,
      {},
      alice,
    );
    const live = await listening(b, () =>
      subscribe(b.server.wsUrl, bob, 'subscription($c: ID) { messageAdded(conversationId: $c) { seq text } }', {
        c: openDirectConversation.id,
      }),
    );
    for (const text of ['one', 'two', 'three'])
      await a.server.ok(SEND, { i: { conversationId: openDirectConversation.id, type: 'TEXT', text } }, alice);
    const got = await live.waitFor(3, 5_000);
    expect(got.map((m) => m.data.messageAdded.text)).toEqual(['one', 'two', 'three']);
    await live.close();

    // A socket of Bob's on B ends within a second of A revoking the token.
    const { socket } = await wsHandshake(b.server.wsUrl, { authorization: `Bearer ${bob}` });
    const closed = new Promise<number>((r) => socket.on('close', (code) => r(code)));
    const t = Date.now();
    await a.server.ok(`mutation($t: String!) { revokeToken(token: $t) }`, { t: bob }, app.token);
    expect(await closed).toBe(4403);
    expect(Date.now() - t).toBeLessThan(1_000);
    // …and B refuses the token at once (its cache heard of the revocation too).
    expect((await b.server.gql(`{ me { username } }`, {}, bob)).status).toBe(401);
  });

  it('refuses a send on B once the recipient blocked the sender on A, after B cached the blocklist', async () => {
    const carol = await userToken(b.server, app.appId, 'carol');
    const alice = await userToken(a.server, app.appId, 'alice');
    const { openDirectConversation: c } = await b.server.ok(
      `mutation { openDirectConversation(peer: { username: "alice" }) { id } }`,
      {},
      carol,
    );
    const send = (text: string) => b.server.gql(SEND, { i: { conversationId: c.id, type: 'TEXT', text } }, carol);
    expect((await send('warm')).body.errors).toBeUndefined(); // B now holds alice's blocklist and the roster
    await a.server.ok(`mutation { blockUsers(users: [{ username: "carol" }]) { username } }`, {}, alice);
    // B hears of it through Redis: a send before that is still let through, so ask until refused.
    const reason = async () => (await send('blocked')).body.errors?.[0]?.extensions?.reason;
    expect(await eventually(async () => ((await reason()) === 'blocked' ? 'blocked' : undefined), 10_000, 'the block on B')).toBe(
      'blocked',
    );
    await a.server.ok(`mutation { unblockUser(user: { username: "carol" }) { username } }`, {}, alice);
    await eventually(async () => ((await send('again')).body.errors ? undefined : true), 10_000, 'the unblock on B');
  });

  it('closes the sockets on B of a user deactivated on A, and refuses their token there', async () => {
    await registerUser(a.server, app.token, 'dora');
    const dora = await userToken(b.server, app.appId, 'dora');
    expect((await b.server.ok(`{ me { username } }`, {}, dora)).me.username).toBe('dora'); // cached on B
    const { socket } = await wsHandshake(b.server.wsUrl, { authorization: `Bearer ${dora}` });
    const closed = new Promise<number>((r) => socket.on('close', (code) => r(code)));
    const t = Date.now();
    await a.server.ok(`mutation { deactivateUser(user: { username: "dora" }) { username } }`, {}, app.token);
    expect(await closed).toBe(4403);
    expect(Date.now() - t).toBeLessThan(1_000);
    expect((await b.server.gql(`{ me { username } }`, {}, dora)).status).toBe(401);
  });

  it('ends the subscription on B of a member removed on A, and refuses their next send there', async () => {
    await registerUser(a.server, app.token, 'finn');
    const finn = await userToken(b.server, app.appId, 'finn');
    const alice = await userToken(a.server, app.appId, 'alice');
    const { createGroup } = await a.server.ok(
      `mutation { createGroup(input: { name: "kick", members: [{ username: "finn" }] }) { groupId conversation { id } } }`,
      {},
      alice,
    );
    const c = createGroup.conversation.id;
    const live = await listening(b, () =>
      subscribe(b.server.wsUrl, finn, 'subscription($c: ID) { messageAdded(conversationId: $c) { seq } }', { c }),
    );
    expect((await b.server.gql(SEND, { i: { conversationId: c, type: 'TEXT', text: 'in' } }, finn)).body.errors).toBeUndefined();
    await live.waitFor(1, 3_000);
    await a.server.ok(
      `mutation($g: Int!) { removeGroupMembers(groupId: $g, members: [{ username: "finn" }]) { groupId } }`,
      { g: createGroup.groupId },
      alice,
    );
    for (let i = 0; i < 20 && !live.isCompleted(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(live.isCompleted()).toBe(true);
    const refused = await b.server.gql(SEND, { i: { conversationId: c, type: 'TEXT', text: 'out' } }, finn);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await live.close();
  });

  it('answers presence for the whole cluster and announces it on every instance', async () => {
    await registerUser(a.server, app.token, 'erin');
    const erin = await userToken(b.server, app.appId, 'erin');
    const status = async () =>
      (await a.server.ok(`{ presence(usernames: ["erin"]) { online } }`, {}, app.token)).presence[0].online as boolean;
    const watch = await listening(a, () =>
      subscribe(a.server.wsUrl, app.token, 'subscription { presenceChanged(usernames: ["erin"]) { online user { username } } }'),
    );
    expect(await status()).toBe(false);
    const { socket } = await wsHandshake(b.server.wsUrl, { authorization: `Bearer ${erin}` });
    await watch.waitFor(1, 3_000);
    expect(await status()).toBe(true); // connected on B, asked on A
    socket.close();
    await watch.waitFor(2, 3_000);
    expect(watch.received.map((e) => e.data.presenceChanged.online)).toEqual([true, false]);
    expect(await status()).toBe(false);
    await watch.close();
  });
});

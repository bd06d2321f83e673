import { startTestServer, userToken, type TestServer } from '../../helpers/harness';
import { loadSdk, unloadSdk, until } from '../../helpers/easemob-sdk';
import { listening, subscribe } from '../../helpers/live';
import { wildfireClient } from '../wildfire/helpers';
import { gobelieveBasic, msyncUrl, msyncUsers, rawSession } from './msync-helpers';
import { decode, pb } from '../../../src/vendors/easemob/msync/schema';

// Issue 33: the vendor's client SDK (easemob-websdk 4.21.1, unmodified, headless in Node) chats
// through the facade's msync socket, configured only by `url`, `apiUrl` and `appKey`.
describe('Easemob msync: one-to-one chat with the client SDK', () => {
  let server: TestServer;
  let users: Awaited<ReturnType<typeof msyncUsers>>;

  beforeAll(async () => {
    server = await startTestServer({ EASEMOB_RATE_LIMIT: '0' });
    users = await msyncUsers(server, loadSdk(), ['ann', 'ben', 'cat', '901', '902']);
  }, 60_000);
  afterEach(() => users.closeAll());
  afterAll(async () => {
    unloadSdk();
    await server?.close();
  });

  it('sends text, custom, cmd and location live, with the ids REST and GraphQL show', async () => {
    const ann = await users.online('ann');
    const ben = await users.online('ben');
    const token = await userToken(server, users.em.app.appId, 'ben', 'pw-123456');
    const live = await listening(server, () => subscribe(server.wsUrl, token, `subscription { messageAdded { uid text type } }`));
    const text = await ann.send({ type: 'txt', to: 'ben', msg: 'hello ben', ext: { mood: 'sunny', n: 3 } });
    const custom = await ann.send({ type: 'custom', to: 'ben', customEvent: 'poke', customExts: { level: 'high' } });
    const cmd = await ann.send({ type: 'cmd', to: 'ben', action: 'typing' });
    const loc = await ann.send({ type: 'loc', to: 'ben', lat: 48.85, lng: 2.35, addr: 'Paris' });
    await until(() => ben.got.location.length === 1, 'the location');
    expect(ben.got.text).toEqual([
      expect.objectContaining({ id: text.serverMsgId, from: 'ann', to: 'ben', msg: 'hello ben', ext: { mood: 'sunny', n: 3 } }),
    ]);
    expect(ben.got.custom).toEqual([
      expect.objectContaining({ id: custom.serverMsgId, customEvent: 'poke', customExts: { level: 'high' } }),
    ]);
    expect(ben.got.cmd).toEqual([expect.objectContaining({ id: cmd.serverMsgId, action: 'typing' })]);
    expect(ben.got.location).toEqual([expect.objectContaining({ id: loc.serverMsgId, lat: 48.85, lng: 2.35, addr: 'Paris' })]);
    // GraphQL's subscriber saw the same four, under the same ids.
    const events = await live.waitFor(4);
    expect(events.map((e) => String(e.data.messageAdded.uid))).toEqual([text, custom, cmd, loc].map((s) => s.serverMsgId));
    await live.close();
    // The REST history query answers them under the same msg_id.
    const history = await users.em.call('GET', `/chatmessages?limit=10&ql=${encodeURIComponent("select * where from='ann'")}`);
    expect(history.body.entities.map((e: any) => e.msg_id).sort()).toEqual([text, custom, cmd, loc].map((s) => s.serverMsgId).sort());
  });

  it('hears what GraphQL, Easemob REST, a Wildfire robot and GoBelieve send', async () => {
    const ben = await users.online('ben');
    const cat = await userToken(server, users.em.app.appId, 'cat', 'pw-123456');
    await server.ok(`mutation { sendMessage(input: { to: { username: "ben" }, type: TEXT, text: "via graphql" }) { id } }`, {}, cat);
    await users.em.call('POST', '/messages/users', { body: { from: 'cat', to: ['ben'], type: 'txt', body: { msg: 'via rest' } } });
    const secret = 'robot-secret-0123456789';
    await server.ok(
      `mutation($i: CreateRobotInput!) { createRobot(input: $i) { rid } }`,
      { i: { username: 'robo', secret } },
      users.em.app.token,
    );
    const robot = await wildfireClient(
      `${server.url}/wildfire`,
      'robo',
      secret,
    )('/robot/message/send', {
      conv: { type: 0, target: 'ben' },
      payload: { type: 1, searchableContent: 'via wildfire' },
    });
    expect(robot.body.code).toBe(0);
    const texts = await until(() => ben.got.text.length >= 3 && ben.got.text, 'three messages');
    expect(texts.map((m: any) => [m.from, m.msg])).toEqual([
      ['cat', 'via graphql'],
      ['cat', 'via rest'],
      ['robo', 'via wildfire'],
    ]);
    // GoBelieve names users by number: 901 writes to 902.
    const n902 = await users.online('902');
    const gb = await fetch(`${server.url}/gobelieve/messages/peers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: gobelieveBasic(users.em.app) },
      body: JSON.stringify({ sender: 901, receiver: 902, content: 'via gobelieve' }),
    });
    expect(gb.status).toBe(200);
    expect(await until(() => n902.got.text[0], 'the GoBelieve message')).toMatchObject({ from: '901', to: '902', msg: 'via gobelieve' });
  });

  it('gives a closed SDK what it missed on open(), in order, once', async () => {
    const ann = await users.online('ann');
    const cat = await users.online('cat');
    await cat.send({ type: 'txt', to: 'ann', msg: 'warm-up' });
    await until(() => ann.got.text.length === 1, 'warm-up');
    ann.conn.close();
    await until(() => ann.got.disconnected === 1, 'ann offline');
    for (const msg of ['one', 'two', 'three']) await cat.send({ type: 'txt', to: 'ann', msg });
    const offline = await users.em.call('GET', '/users/ann/offline_msg_count');
    expect(offline.body.data).toEqual({ ann: 3 });
    const again = await users.online('ann');
    await until(() => again.got.text.length === 3, 'the missed messages');
    expect(again.got.text.map((m: any) => m.msg)).toEqual(['one', 'two', 'three']);
    // Delivered now: counted so on REST, and not given again by the next heartbeat or login.
    await until(async () => (await users.em.call('GET', '/users/ann/offline_msg_count')).body.data.ann === 0, 'delivered', 5_000);
    await again.conn.mSync.sendUnreadDeal();
    const third = await users.online('ann');
    await cat.send({ type: 'txt', to: 'ann', msg: 'four' });
    await until(() => third.got.text.length === 1 && again.got.text.length === 4, 'four on both sockets');
    expect(third.got.text.map((m: any) => m.msg)).toEqual(['four']);
  });

  it('read, delivery and channel acks move the cursors GraphQL reads; a recall reaches the other SDK', async () => {
    const ann = await users.online('ann', { delivery: true });
    const ben = await users.online('ben');
    const sent = await ben.send({ type: 'txt', to: 'ann', msg: 'read me' });
    await until(() => ann.got.text.some((m: any) => m.id === sent.serverMsgId), 'the message');
    const annToken = await userToken(server, users.em.app.appId, 'ann', 'pw-123456');
    const benToken = await userToken(server, users.em.app.appId, 'ben', 'pw-123456');
    const opened = await server.ok(`mutation { openDirectConversation(peer: { username: "ann" }) { id } }`, {}, benToken);
    const conversationId = opened.openDirectConversation.id as string;
    const status = async () =>
      (await server.ok(`{ messages(conversationId: "${conversationId}", last: 1) { edges { node { id } } } }`, {}, benToken)).messages;
    const messageId = (await status()).edges[0].node.id;
    const delivery = async () =>
      (await server.ok(`{ messageDeliveryStatus(messageId: "${messageId}") { delivered read } }`, {}, benToken)).messageDeliveryStatus[0];
    await until(async () => (await delivery()).delivered, 'delivered');
    await ann.send({ type: 'read', chatType: 'singleChat', to: 'ben', id: sent.serverMsgId });
    expect(await delivery()).toEqual({ delivered: true, read: true });
    // A channel ack reads the whole conversation.
    await ben.send({ type: 'txt', to: 'ann', msg: 'and this' });
    await ann.send({ type: 'channel', chatType: 'singleChat', to: 'ben' });
    const counts = await server.ok(`{ offlineCounts { total } conversation(id: "${conversationId}") { unreadCount } }`, {}, annToken);
    expect(counts.conversation.unreadCount).toBe(0);
    // Recall.
    const gone = await ben.send({ type: 'txt', to: 'ann', msg: 'oops' });
    await until(() => ann.got.text.some((m: any) => m.id === gone.serverMsgId), 'oops');
    await ben.conn.recallMessage({ mid: gone.serverMsgId, to: 'ann', chatType: 'singleChat' });
    expect(await until(() => ann.got.recall[0], 'the recall')).toMatchObject({ mid: gone.serverMsgId, from: 'ben', to: 'ann' });
  });

  it('gives a device a message its user’s other device took first (the delivery cursor is the user’s)', async () => {
    const token = await users.tokenOf('cat');
    const raw = await rawSession(msyncUrl(server), users.appKey, 'cat', token);
    await raw.command(1);
    const noticed = raw.next(2);
    const sent = await users.em.call('POST', '/messages/users', {
      body: { from: '901', to: ['cat'], type: 'txt', body: { msg: 'for both' } },
    });
    const { queue } = decode<{ queue: object }>(pb.CommNotice, await noticed);
    // Another device of cat's (GraphQL) reads the conversation before this socket syncs it.
    const graphql = await userToken(server, users.em.app.appId, 'cat', 'pw-123456');
    const opened = await server.ok(`mutation { openDirectConversation(peer: { username: "901" }) { id } }`, {}, graphql);
    await server.ok(
      `mutation($c: ID!) { markConversationRead(conversationId: $c) { readSeq } }`,
      { c: opened.openDirectConversation.id },
      graphql,
    );
    expect(await raw.sync(queue)).toEqual([{ id: sent.body.data.cat, text: 'for both' }]);
    raw.close();
  });

  it('loses and duplicates nothing when the socket drops and the SDK reconnects', async () => {
    const cat = await users.online('cat');
    const ben = await users.online('ben');
    ben.conn.sock.terminate(); // a dropped connection, as a network would
    for (let i = 0; i < 5; i++) await cat.send({ type: 'txt', to: 'ben', msg: `while away ${i}` });
    await until(() => ben.got.connected >= 2, 'the reconnect');
    await cat.send({ type: 'txt', to: 'ben', msg: 'after' });
    const got = await until(() => ben.got.text.length >= 6 && ben.got.text, 'six messages');
    expect(got.map((m: any) => m.msg)).toEqual([0, 1, 2, 3, 4].map((i) => `while away ${i}`).concat('after'));
  });
});

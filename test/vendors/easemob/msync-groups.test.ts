import { startTestServer, userToken, type TestServer } from '../../helpers/harness';
import { loadSdk, unloadSdk, until } from '../../helpers/easemob-sdk';
import { listening, subscribe } from '../../helpers/live';
import { msyncUsers } from './msync-helpers';

const json = { contentType: 'application/json' };

// Group and chat-room messages of the client SDK (its chatType), with membership, mutes and
// blocks enforced as on every other surface, and the refusals in the SDK's own error types.
describe('Easemob msync: groups and chat rooms with the client SDK', () => {
  let server: TestServer;
  let users: Awaited<ReturnType<typeof msyncUsers>>;
  let sdk: any;
  let gid: string;

  beforeAll(async () => {
    server = await startTestServer({ EASEMOB_RATE_LIMIT: '0' });
    sdk = loadSdk();
    users = await msyncUsers(server, sdk, ['gus', 'hal', 'ivy', 'out']);
    const created = await users.em.call('POST', '/chatgroups', {
      ...json,
      body: { groupname: 'crew', description: 'the crew', public: true, maxusers: 20, owner: 'gus', members: ['hal', 'ivy'] },
    });
    gid = created.body.data.groupid;
  }, 60_000);
  afterEach(() => users.closeAll());
  afterAll(async () => {
    unloadSdk();
    await server?.close();
  });

  const refusal = async (p: Promise<unknown>) => {
    try {
      await p;
      return 'sent';
    } catch (e: any) {
      return e.type as number;
    }
  };

  it('delivers group messages to every member, live and to a GraphQL subscriber, under one id', async () => {
    const [gus, hal, ivy] = [await users.online('gus'), await users.online('hal'), await users.online('ivy')];
    const token = await userToken(server, users.em.app.appId, 'ivy', 'pw-123456');
    const live = await listening(server, () => subscribe(server.wsUrl, token, `subscription { messageAdded { uid text } }`));
    const sent = await gus.send({ type: 'txt', chatType: 'groupChat', to: gid, msg: 'all hands' });
    for (const member of [hal, ivy]) {
      const got = await until(() => member.got.text[0], 'the group message');
      expect(got).toMatchObject({ id: sent.serverMsgId, from: 'gus', to: gid, chatType: 'groupChat', msg: 'all hands' });
    }
    expect(gus.got.text).toEqual([]); // the sender's own socket has its ack, not a copy
    const [event] = await live.waitFor(1);
    expect(event.data.messageAdded).toEqual({ uid: Number(sent.serverMsgId), text: 'all hands' });
    await live.close();
  });

  it('refuses non-members, muted and blocked senders in the SDK’s error types', async () => {
    const out = await users.online('out');
    expect(await refusal(out.send({ type: 'txt', chatType: 'groupChat', to: gid, msg: 'let me in' }))).toBe(
      sdk.statusCode.GROUP_NOT_JOINED,
    );
    await users.em.call('POST', `/chatgroups/${gid}/mute`, { ...json, body: { usernames: ['hal'], mute_duration: 60_000 } });
    const hal = await users.online('hal');
    expect(await refusal(hal.send({ type: 'txt', chatType: 'groupChat', to: gid, msg: 'shh' }))).toBe(
      sdk.statusCode.SERVICE_NOT_ALLOW_MESSAGING_MUTE,
    );
    await users.em.call('DELETE', `/chatgroups/${gid}/mute/hal`);
    expect(await refusal(hal.send({ type: 'txt', chatType: 'groupChat', to: gid, msg: 'back' }))).toBe('sent');
    // One-to-one: blocked by the recipient.
    await users.em.call('POST', '/users/ivy/blocks/users', { ...json, body: { usernames: ['out'] } });
    expect(await refusal(out.send({ type: 'txt', to: 'ivy', msg: 'hey' }))).toBe(sdk.statusCode.PERMISSION_DENIED);
    expect(await refusal(out.send({ type: 'txt', to: 'nobody-here', msg: 'hey' }))).toBe(sdk.statusCode.USER_NOT_FOUND);
  });

  it('joins a chat room over the socket; its messages reach the members connected, never queued', async () => {
    const room = await users.em.call('POST', '/chatrooms', { ...json, body: { name: 'lobby', owner: 'gus', members: ['hal'] } });
    const rid = room.body.data.id as string;
    expect(rid).toBe(gid); // the same number, a different thing
    const [gus, hal, ivy] = [await users.online('gus'), await users.online('hal'), await users.online('ivy')];
    const joined = await ivy.conn.joinChatRoom({ roomId: rid });
    expect(joined.data).toMatchObject({ action: 'apply', id: rid, result: true });
    const sent = await gus.send({ type: 'txt', chatType: 'chatRoom', to: rid, msg: 'welcome' });
    for (const member of [hal, ivy]) {
      expect(await until(() => member.got.text.find((m: any) => m.chatType === 'chatRoom'), 'the room message')).toMatchObject({
        id: sent.serverMsgId,
        chatType: 'chatRoom',
        to: rid,
        msg: 'welcome',
      });
    }
    await ivy.conn.leaveChatRoom({ roomId: rid });
    await gus.send({ type: 'txt', chatType: 'chatRoom', to: rid, msg: 'ivy left' });
    const inRoom = (c: typeof hal) => c.got.text.filter((m: any) => m.chatType === 'chatRoom').map((m: any) => m.msg);
    await until(() => inRoom(hal).length === 2, 'hal hears the second');
    expect(inRoom(ivy)).toEqual(['welcome']);
    // Groups and rooms count their ids apart (the first of each is 1): a group's queue is never a room's.
    const g = await gus.send({ type: 'txt', chatType: 'groupChat', to: gid, msg: 'group again' });
    expect(await until(() => ivy.got.text.find((m: any) => m.id === g.serverMsgId), 'the group message')).toMatchObject({
      chatType: 'groupChat',
      to: gid,
    });
    expect(await refusal(ivy.conn.joinChatRoom({ roomId: '424242' }))).toBe(sdk.statusCode.CHATROOM_NOT_EXIST);
    expect(await refusal(ivy.send({ type: 'txt', chatType: 'chatRoom', to: rid, msg: 'not in' }))).toBe(sdk.statusCode.GROUP_NOT_JOINED);
  });
});

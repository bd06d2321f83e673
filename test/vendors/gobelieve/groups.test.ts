import { startTestServer, type TestServer } from '../../helpers/harness';
import { listening, subscribe } from '../../helpers/live';
import { expectGbError, expectOk, gobelieveClient } from './helpers';

const MEMBERS = `query($g: Int!) { group(groupId: $g) { name super dissolved conversation { id members { nodes { user { username } role nickname muted doNotDisturb } } } } }`;

describe('GoBelieve groups and messages', () => {
  let server: TestServer;
  let gb: Awaited<ReturnType<typeof gobelieveClient>>;
  const group = async (g: number) => (await server.ok(MEMBERS, { g }, gb.app.token)).group;
  const usernames = (g: any) => g.conversation.members.nodes.map((m: any) => m.user.username).sort();

  beforeAll(async () => {
    server = await startTestServer();
    gb = await gobelieveClient(server);
  });
  afterAll(() => server.close());

  it('creates a group with members as objects or bare uids, renames, adds, removes, lets one leave, upgrades and dissolves', async () => {
    const { group_id: gid } = expectOk(
      await gb.call('POST', '/groups', { master: 1, name: 'team', super: false, members: [{ uid: 2, name: 'Two', avatar: '' }, 3] }),
    );
    expect(Number.isInteger(gid)).toBe(true);
    expect(usernames(await group(gid))).toEqual(['1', '2', '3']);
    expectOk(await gb.call('PATCH', `/groups/${gid}`, { name: 'renamed' }));
    expectOk(await gb.call('POST', `/groups/${gid}/members`, { members: [{ uid: 4 }], inviter: { uid: 1, name: 'One' } }));
    expectOk(await gb.call('POST', `/groups/${gid}/members`, [5, 6]));
    expect(usernames(await group(gid))).toEqual(['1', '2', '3', '4', '5', '6']);
    expectOk(await gb.call('DELETE', `/groups/${gid}/members`, [5]));
    expectOk(await gb.call('DELETE', `/groups/${gid}/members`, [{ uid: 6, name: 'Six' }]));
    expectOk(await gb.call('DELETE', `/groups/${gid}/members/4`));
    expectOk(await gb.call('POST', `/groups/${gid}/upgrade`));
    const g = await group(gid);
    expect({ name: g.name, super: g.super, members: usernames(g) }).toEqual({ name: 'renamed', super: true, members: ['1', '2', '3'] });
    expectOk(await gb.call('DELETE', `/groups/${gid}`));
    const gone = await server.gql(MEMBERS, { g: gid }, gb.app.token);
    expect(gone.body.data?.group ?? null).toBeNull();
    expectGbError(await gb.call('PATCH', `/groups/${gid}`, { name: 'x' }), 400);
  });

  it('sets a member nickname, do-not-disturb and mute, one of do_not_disturb and nickname at a time', async () => {
    const { group_id: gid } = expectOk(await gb.call('POST', '/groups', { master: 11, name: 'g', members: [12] }));
    expectOk(await gb.call('PATCH', `/groups/${gid}/members/12`, { nickname: 'twelve' }));
    expectOk(await gb.call('PATCH', `/groups/${gid}/members/12`, { do_not_disturb: true, mute: true }));
    expectGbError(await gb.call('PATCH', `/groups/${gid}/members/12`, { do_not_disturb: false, nickname: 'x' }), 400);
    const member = (await group(gid)).conversation.members.nodes.find((m: any) => m.user.username === '12');
    expect(member).toMatchObject({ nickname: 'twelve', doNotDisturb: true, muted: true });
    expectGbError(await gb.call('PATCH', `/groups/${gid}/members/99`, { nickname: 'x' }), 400);
    expectGbError(await gb.call('PATCH', `/groups/999999/members/12`, { nickname: 'x' }), 400);
    expectGbError(await gb.call('POST', '/groups', { master: 11, name: '' }), 400);
    expectGbError(await gb.call('POST', '/groups', { master: 11, name: 'g', members: ['abc'] }), 400);
  });

  it('sends peer and group messages that GraphQL sees; system messages are stored, notifications only reach connected users', async () => {
    const { group_id: gid } = expectOk(await gb.call('POST', '/groups', { master: 21, name: 'chat', members: [22] }));
    expectOk(await gb.call('POST', '/messages/groups', { sender: 21, receiver: gid, content: '{"text":"hello group"}' }));
    const { conversation } = await group(gid);
    const { messages } = await server.ok(
      `query($c: ID!) { messages(conversationId: $c, last: 5) { nodes { text payload sender { username } } } }`,
      { c: conversation.id },
      gb.app.token,
    );
    expect(messages.nodes.at(-1)).toEqual({ text: 'hello group', payload: '{"text":"hello group"}', sender: { username: '21' } });
    expectGbError(await gb.call('POST', '/messages/groups', { sender: 23, receiver: gid, content: 'not a member' }), 400);

    const token = expectOk(await gb.call('POST', '/auth/grant', { uid: 22 })).token;
    const live = await listening(server, () =>
      subscribe(server.wsUrl, token, `subscription { messageAdded { type text payload transient sender { username } } }`),
    );
    expectOk(await gb.call('POST', '/messages/peers', { sender: 21, receiver: 22, content: 'plain text' }));
    expectOk(await gb.call('POST', '/messages/systems', { receiver: 22, content: '{"notice":"maintenance"}' }));
    expectOk(await gb.call('POST', '/messages/notifications', { receiver: 22, content: '{"typing":true}' }));
    expectOk(await gb.call('POST', '/messages/groups/notifications', { group_id: gid, content: '{"pinned":1}' }));
    const got = (await live.waitFor(4)).map((e) => e.data.messageAdded);
    await live.close();
    expect(got).toEqual([
      { type: 'TEXT', text: 'plain text', payload: null, transient: false, sender: { username: '21' } },
      { type: 'SYSTEM', text: null, payload: '{"notice":"maintenance"}', transient: false, sender: null },
      { type: 'NOTIFICATION', text: null, payload: '{"typing":true}', transient: true, sender: null },
      { type: 'NOTIFICATION', text: null, payload: '{"pinned":1}', transient: true, sender: null },
    ]);
    expectGbError(await gb.call('POST', '/messages/peers', { sender: 21, receiver: 22 }), 400);
    expectGbError(await gb.call('POST', '/messages/peers', { sender: 21, receiver: 22, content: 'x'.repeat(16_001) }), 400);
  });

  it('delivers chat-room messages to the members that entered the room and are connected, keeping the recent window', async () => {
    const inside = expectOk(await gb.call('POST', '/auth/grant', { uid: 31 })).token;
    const outside = expectOk(await gb.call('POST', '/auth/grant', { uid: 32 })).token;
    const { enterRoom } = await server.ok(`mutation { enterRoom(roomId: 7) { id kind } }`, {}, inside);
    expect(enterRoom.kind).toBe('ROOM');
    const a = await listening(server, () =>
      subscribe(server.wsUrl, inside, `subscription { messageAdded { text seq transient sender { username } } }`),
    );
    const b = await listening(server, () => subscribe(server.wsUrl, outside, `subscription { messageAdded { text } }`));
    expectOk(await gb.call('POST', '/messages/rooms', { sender: 30, receiver: 7, content: 'hi room' }));
    await server.ok(`mutation { sendMessage(input: { roomId: 7, type: TEXT, text: "me too" }) { id } }`, {}, inside);
    const got = (await a.waitFor(2)).map((e) => e.data.messageAdded);
    expect(got).toEqual([
      { text: 'hi room', seq: 1, transient: false, sender: { username: '30' } },
      { text: 'me too', seq: 2, transient: false, sender: { username: '31' } },
    ]);
    const refused = await server.gql(`mutation { sendMessage(input: { roomId: 7, type: TEXT, text: "let me in" }) { id } }`, {}, outside);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await new Promise((r) => setTimeout(r, 200)); // nothing arrives late for the outsider either
    expect(b.received).toEqual([]);
    const { messages } = await server.ok(
      `query($c: ID!) { messages(conversationId: $c, last: 5) { nodes { text } } }`,
      { c: enterRoom.id },
      inside,
    );
    expect(messages.nodes).toEqual([{ text: 'hi room' }, { text: 'me too' }]);
    await a.close();
    await b.close();
    expectGbError(await gb.call('POST', '/messages/rooms', { sender: 30, receiver: 0, content: 'x' }), 400);
  });
});

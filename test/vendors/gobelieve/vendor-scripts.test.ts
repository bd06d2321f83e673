import { startTestServer, type TestServer } from '../../helpers/harness';
import { easemobClient } from '../easemob/helpers';
import { expectGbError, gobelieveClient } from './helpers';

// The exact requests of richmonkey/gobelieve_api's own scripts (tests/test_api.py, tests/test_group.py),
// in their order, with their bodies: uids as numbers, JSON content strings, Basic auth. Replayed here
// (the scripts are Python and in no registry reachable from CI); where a script asserts 200 we do too.
const GROUP = `query($g: Int!) { group(groupId: $g) { owner { username } conversation { members { nodes { user { username } role } } } } }`;

describe("GoBelieve's own test scripts, replayed", () => {
  let server: TestServer;
  let gb: Awaited<ReturnType<typeof gobelieveClient>>;
  const ok = async (method: string, path: string, body?: unknown) => {
    const res = await gb.call(method, path, body);
    expect({ path, status: res.status, body: res.body }).toEqual({ path, status: 200, body: { data: expect.anything() } });
    return res.body.data;
  };

  beforeAll(async () => {
    server = await startTestServer();
    gb = await gobelieveClient(server);
  });
  afterAll(() => server.close());

  it('test_api.py: grant, a system room message to a room nobody entered, forbidden, do-not-disturb, mute, name', async () => {
    expect(typeof (await ok('POST', '/auth/grant', { uid: 1, user_name: '1' })).token).toBe('string');
    await ok('POST', '/messages/rooms', { sender: 0, receiver: 100, content: JSON.stringify({ text: 'hello' }) });
    await ok('POST', '/users/1000', { forbidden: true });
    await ok('POST', '/users/1000', { forbidden: false });
    await ok('POST', '/users/1000', { do_not_disturb: { peer_uid: 100, on: true } });
    await ok('POST', '/users/1000', { do_not_disturb: { peer_uid: 100, on: false } });
    await ok('POST', '/users/1000', { mute: true });
    await ok('POST', '/users/1000', { mute: false });
    await ok('POST', '/users/200', { name: '测试用户200' });
    // The script's group 2778 does not exist here: the real server answers 400 "group no member" too.
    const none = await gb.call('POST', '/messages/groups/notifications', { group_id: 2778, content: JSON.stringify({ text: 'hello' }) });
    expectGbError(none, 400);
    expect(none.body.meta.message).toBe('group no member');
  });

  it('a sender other than 0 still needs to be a uid; the system message is a sender-less notice in the room', async () => {
    expectGbError(await gb.call('POST', '/messages/rooms', { sender: -1, receiver: 100, content: 'x' }), 400);
    expectGbError(await gb.call('POST', '/messages/rooms', { sender: 0, receiver: 0, content: 'x' }), 400);
  });

  it('test_group.py: create, rename, upgrade, add twice, member settings, remove, the master leaves, disband', async () => {
    const master = 13635273143;
    const { group_id: gid } = await ok('POST', '/groups', { master, members: [{ uid: master }], name: 'test', super: false });
    await ok('PATCH', `/groups/${gid}`, { name: 'test_new' });
    await ok('POST', `/groups/${gid}/upgrade`);
    await ok('POST', `/groups/${gid}/members`, {
      members: [{ uid: 13635273142, name: '13635273142' }],
      inviter: { uid: master, name: 'haha' },
    });
    await ok('POST', `/groups/${gid}/members`, [{ uid: 13635273142, name: '13635273142' }]);
    for (const body of [{ do_not_disturb: true }, { nickname: 'nnnnn' }, { mute: true }, { mute: false }])
      await ok('PATCH', `/groups/${gid}/members/13635273142`, body);
    await ok('DELETE', `/groups/${gid}/members`, [{ uid: 13635273142, name: '13635273142' }]);
    await ok('DELETE', `/groups/${gid}/members/${master}`);
    // The last member left: the group stays (disbanding is explicit) and is empty.
    const empty = (await server.ok(GROUP, { g: gid }, gb.app.token)).group;
    expect(empty.conversation.members.nodes).toEqual([]);
    const notice = await gb.call('POST', '/messages/groups/notifications', { group_id: gid, content: '{"text":"hi"}' });
    expect({ status: notice.status, message: notice.body.meta?.message }).toEqual({ status: 400, message: 'group no member' });
    await ok('DELETE', `/groups/${gid}`);
  });

  it('when the master leaves a group with members, ownership passes on, the same on GraphQL and Easemob', async () => {
    const { group_id: gid } = await ok('POST', '/groups', { master: 501, name: 'heirs', members: [502, 503] });
    await ok('DELETE', `/groups/${gid}/members/501`);
    const g = (await server.ok(GROUP, { g: gid }, gb.app.token)).group;
    const roles = Object.fromEntries(g.conversation.members.nodes.map((m: any) => [m.user.username, m.role]));
    expect({ owner: g.owner.username, roles }).toEqual({ owner: '502', roles: { '502': 'OWNER', '503': 'MEMBER' } });
    // The same app seen through Easemob (its org/app names): the owner field names the heir.
    const em = await easemobClient(server, { app: gb.app });
    const detail = await em.call('GET', `/chatgroups/${gid}`);
    expect({ status: detail.status, owner: detail.body.data[0].owner }).toEqual({ status: 200, owner: '502' });
  });
});

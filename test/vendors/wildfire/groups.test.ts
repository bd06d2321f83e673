import { provisionApp, registerUser, startTestServer, type TestServer } from '../../helpers/harness';
import { easemobClient } from '../easemob/helpers';
import { expectCode, wildfireClient } from './helpers';

// The robot API's group calls with the bodies the vendor's SDKs send (Java RobotService,
// server-sdk-python robot_service.py): replayed here, as those SDKs are in no registry reachable
// from CI. The groups are the domain's: GraphQL and Easemob see every change at once.
const GROUP = `query($g: Int!) { group(groupId: $g) { name owner { username } conversation { members { nodes { user { username } role nickname muted } } } } }`;

describe('Wildfire robot group operations', () => {
  let server: TestServer;
  let app: Awaited<ReturnType<typeof provisionApp>>;
  let call: ReturnType<typeof wildfireClient>;
  const group = async (g: string) => (await server.ok(GROUP, { g: Number(g) }, app.token)).group;
  const roles = (g: any) => Object.fromEntries(g.conversation.members.nodes.map((m: any) => [m.user.username, m.role]));

  beforeAll(async () => {
    server = await startTestServer();
    app = await provisionApp(server);
    for (const u of ['alice', 'bob', 'carol', 'dave']) await registerUser(server, app.token, u);
    await server.ok(
      `mutation($i: CreateRobotInput!) { createRobot(input: $i) { rid } }`,
      { i: { username: 'bot', secret: 's3cret-robot-0123456789' } },
      app.token,
    );
    call = wildfireClient(`${server.url}/wildfire`, 'bot', 's3cret-robot-0123456789');
  });
  afterAll(() => server.close());

  it('creates a group as the SDK sends it, reads it, lists and gets members', async () => {
    const created = await call('/robot/group/create', {
      group: {
        group_info: { target_id: '', name: 'ops', portrait: 'http://x/p.png', owner: 'bot', type: 2, extra: '{"k":1}' },
        members: [{ member_id: 'bot' }, { member_id: 'alice', alias: 'Al' }, { member_id: 'bob', type: 0 }],
      },
      member_extra: '',
      to_lines: [],
      notify_message: null,
    });
    expectCode(created, 0);
    const gid = created.body.result.group_id as string;
    expect(gid).toMatch(/^\d+$/);
    const g = await group(gid);
    expect({ name: g.name, owner: g.owner.username, roles: roles(g) }).toEqual({
      name: 'ops',
      owner: 'bot',
      roles: { bot: 'OWNER', alice: 'MEMBER', bob: 'MEMBER' },
    });
    const info = await call('/robot/group/get_info', { groupId: gid });
    expectCode(info, 0);
    expect(info.body.result).toMatchObject({
      target_id: gid,
      name: 'ops',
      portrait: 'http://x/p.png',
      owner: 'bot',
      extra: '{"k":1}',
      mute: 0,
      member_count: 3,
    });
    const list = await call('/robot/group/member/list', { groupId: gid });
    expect(list.body.result.members).toEqual([
      { member_id: 'bot', alias: '', type: 2 },
      { member_id: 'alice', alias: 'Al', type: 0 },
      { member_id: 'bob', alias: '', type: 0 },
    ]);
    expect((await call('/robot/group/member/get', { groupId: gid, memberId: 'alice' })).body.result).toEqual({
      member_id: 'alice',
      alias: 'Al',
      type: 0,
    });
  });

  it('adds, kicks, modifies, manages, mutes, aliases, transfers, notifies, quits and dismisses', async () => {
    const gid = (await call('/robot/group/create', { group: { group_info: { name: 'g2' }, members: [{ member_id: 'alice' }] } })).body
      .result.group_id;
    expectCode(
      await call('/robot/group/member/add', { group_id: gid, members: [{ member_id: 'bob' }, { member_id: 'carol' }], to_lines: [] }),
      0,
    );
    expectCode(await call('/robot/group/member/del', { group_id: gid, members: ['carol'] }), 0);
    expectCode(await call('/robot/group/modify', { group_id: gid, type: 0, value: 'renamed' }), 0);
    expectCode(await call('/robot/group/modify', { group_id: gid, type: 3, value: '1' }), 0);
    expectCode(await call('/robot/group/modify', { group_id: gid, type: 8, value: '50' }), 0);
    expectCode(await call('/robot/group/manager/set', { group_id: gid, members: ['alice'], is_manager: true }), 0);
    expectCode(await call('/robot/group/manager/mute', { group_id: gid, members: ['bob'], is_mute: true }), 0);
    expectCode(await call('/robot/group/member/set_alias', { group_id: gid, memberId: 'bob', alias: 'Bobby' }), 0);
    const notified = await call('/robot/group/modify', {
      group_id: gid,
      type: 2,
      value: 'x',
      notify_message: { type: 1, searchableContent: 'settings changed' },
    });
    expectCode(notified, 0);
    let g = await group(gid);
    const bob = g.conversation.members.nodes.find((m: any) => m.user.username === 'bob');
    expect({ name: g.name, roles: roles(g), bob: [bob.nickname, bob.muted] }).toEqual({
      name: 'renamed',
      roles: { bot: 'OWNER', alice: 'ADMIN', bob: 'MEMBER' },
      bob: ['Bobby', true],
    });
    const info = (await call('/robot/group/get_info', { groupId: gid })).body.result;
    expect({ mute: info.mute, max: info.max_member_count, extra: info.extra }).toEqual({ mute: 1, max: 50, extra: 'x' });
    const list = await call('/robot/group/member/list', { groupId: gid });
    expect(list.body.result.members.map((m: any) => [m.member_id, m.type])).toEqual([
      ['bot', 2],
      ['alice', 1],
      ['bob', 3],
    ]);
    // The notification reached the group: Easemob's history has it, from the robot.
    const em = await easemobClient(server, { app });
    const history = await em.call('GET', `/chatmessages?limit=5&ql=${encodeURIComponent(`select * where to='${gid}'`)}`);
    expect(history.body.entities.map((e: any) => [e.from, e.payload.bodies[0].msg])).toEqual([['bot', 'settings changed']]);
    // Transfer, after which the robot is no longer the one to manage; then it quits; the owner dismisses through Easemob.
    expectCode(await call('/robot/group/transfer', { group_id: gid, new_owner: 'alice' }), 0);
    expectCode(await call('/robot/group/manager/set', { group_id: gid, members: ['bob'], is_manager: true }), 248);
    expectCode(await call('/robot/group/member/quit', { group_id: gid }), 0);
    g = await group(gid);
    expect(roles(g)).toEqual({ alice: 'OWNER', bob: 'MEMBER' });
    expectCode(await call('/robot/group/get_info', { groupId: gid }), 9);
    const gid3 = (await call('/robot/group/create', { group: { group_info: { name: 'g3' }, members: [] } })).body.result.group_id;
    expectCode(await call('/robot/group/del', { group_id: gid3 }), 0);
    expectCode(await call('/robot/group/get_info', { groupId: gid3 }), 253);
  });

  it('refuses in the dialect what it cannot do: unknown groups and users, roles, and what the domain does not keep', async () => {
    const gid = (
      await call('/robot/group/create', { group: { group_info: { name: 'g4', owner: 'dave' }, members: [{ member_id: 'dave' }] } })
    ).body.result.group_id;
    // Made for dave: dave owns it, the robot is a plain member.
    expect(roles(await group(gid))).toEqual({ dave: 'OWNER', bot: 'MEMBER' });
    expectCode(await call('/robot/group/modify', { group_id: gid, type: 0, value: 'x' }), 248);
    expectCode(await call('/robot/group/member/del', { group_id: gid, members: ['dave'] }), 248);
    expectCode(await call('/robot/group/get_info', { groupId: 'abc' }), 253);
    expectCode(await call('/robot/group/get_info', { groupId: '999999' }), 253);
    expectCode(await call('/robot/group/member/add', { group_id: gid, members: [{ member_id: 'nobody' }] }), 253);
    expectCode(await call('/robot/group/manager/allow', { group_id: gid, members: ['dave'], is_allow: true }), 254);
    expectCode(await call('/robot/group/member/set_extra', { group_id: gid, memberId: 'dave', extra: 'x' }), 254);
    expectCode(await call('/robot/group/modify', { group_id: gid, type: 7, value: '1' }), 254);
    expectCode(await call('/robot/group/create', { group: {} }), 251);
    expectCode(await call('/robot/group/member/add', { group_id: gid, members: 'dave' }), 251);
    for (const path of [
      '/robot/moments/feed/post',
      '/robot/conference/request',
      '/robot/oss/get_upload_url',
      '/robot/application/get_user_info',
    ])
      expectCode(await call(path, {}), 253);
  });
});

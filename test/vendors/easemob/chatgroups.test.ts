import crypto from 'node:crypto';
import { errorCode, startTestServer, userToken, type TestServer } from '../../helpers/harness';
import { easemobClient, expectEasemobError, type EasemobClient } from './helpers';

// Issue 17: Easemob's chat-group API over the domain's groups (GoBelieve and GraphQL see the same ones).
describe('Easemob chat groups', () => {
  let server: TestServer;
  let em: EasemobClient;
  let gid: string;
  const json = (method: string, path: string, body?: unknown, token?: string) =>
    em.call(method, path, { contentType: 'application/json', ...(body === undefined ? {} : { body }), ...(token ? { token } : {}) });
  const send = async (username: string, text: string) =>
    server.gql(
      `mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }`,
      { i: { conversationId: await conversationId(), type: 'TEXT', text } },
      await userToken(server, em.app.appId, username, 'secret-pass'),
    );
  const conversationId = async () =>
    (await server.ok(`query($g: Int!) { group(groupId: $g) { conversation { id } } }`, { g: Number(gid) }, em.admin)).group.conversation.id;

  beforeAll(async () => {
    server = await startTestServer();
    em = await easemobClient(server);
    const users = ['owner', 'm1', 'm2', 'm3', 'm4', 'm5'].map((username) => ({ username, password: 'secret-pass' }));
    expect((await json('POST', '/users', users)).status).toBe(200);
  });
  afterAll(() => server.close());

  it('creates a group that GraphQL and GoBelieve see, and details it as the real API does', async () => {
    const created = await json('POST', '/chatgroups', {
      groupname: 'team',
      description: 'the team',
      public: true,
      maxusers: 5,
      owner: 'owner',
      members: ['m1', 'm2'],
      custom: 'x',
    });
    expect(created.status).toBe(200);
    gid = created.body.data.groupid;
    expect(gid).toMatch(/^\d+$/);
    const details = await json('GET', `/chatgroups/${gid}`);
    expect(details.body.count).toBe(1);
    expect(details.body.data[0]).toMatchObject({
      id: gid,
      name: 'team',
      description: 'the team',
      public: true,
      maxusers: 5,
      owner: 'owner',
      membersonly: false,
      allowinvites: false,
      custom: 'x',
      mute: false,
      affiliations_count: 3,
      affiliations: [{ owner: 'owner' }, { member: 'm1' }, { member: 'm2' }],
    });
    const { group } = await server.ok(`query($g: Int!) { group(groupId: $g) { name owner { username } } }`, { g: Number(gid) }, em.admin);
    expect(group).toEqual({ name: 'team', owner: { username: 'owner' } });
    // GoBelieve, with the same app's credentials, renames it.
    const md5 = crypto.createHash('md5').update(em.app.gobelieve.appSecret).digest('hex');
    const basic = `Basic ${Buffer.from(`${em.app.gobelieve.appId}:${md5}`).toString('base64')}`;
    const renamed = await fetch(`${server.url}/gobelieve/groups/${gid}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: basic },
      body: JSON.stringify({ name: 'renamed' }),
    });
    expect(renamed.status).toBe(200);
    expect((await json('GET', `/chatgroups/${gid}`)).body.data[0].name).toBe('renamed');
    // Without maxusers, the vendor's default of 200.
    const plain = await json('POST', '/chatgroups', { groupname: 'plain', owner: 'owner' });
    expect((await json('GET', `/chatgroups/${plain.body.data.groupid}`)).body.data[0].maxusers).toBe(200);
    expect((await json('DELETE', `/chatgroups/${plain.body.data.groupid}`)).status).toBe(200);
  });

  it('lists groups with a cursor, and a user’s groups (with its own token too)', async () => {
    const other = (await json('POST', '/chatgroups', { groupname: 'other', owner: 'm3', members: ['m1'] })).body.data.groupid;
    const first = await json('GET', '/chatgroups?limit=1');
    expect(first.body.data).toHaveLength(1);
    expect(first.body.data[0]).toMatchObject({ groupid: gid, groupname: 'renamed', type: 'group', affiliations: 3 });
    const second = await json('GET', `/chatgroups?limit=1&cursor=${first.body.cursor}`);
    expect(second.body.data.map((g: any) => g.groupid)).toEqual([other]);
    expect(second.body.cursor).toBeUndefined();
    const joined = await json('GET', '/users/m1/joined_chatgroups');
    expect(joined.body.data).toEqual([
      { groupid: gid, groupname: 'renamed' },
      { groupid: other, groupname: 'other' },
    ]);
    const m1 = await userToken(server, em.app.appId, 'm1', 'secret-pass');
    expect((await json('GET', '/users/m1/joined_chatgroups?pagesize=1&pagenum=2', undefined, m1)).body.data).toEqual([
      { groupid: other, groupname: 'other' },
    ]);
    expect((await json('DELETE', `/chatgroups/${other}`)).body.data).toEqual({ success: true, groupid: other });
  });

  it('adds and removes members one or many at a time, within maxusers, and pages them', async () => {
    expect((await json('POST', `/chatgroups/${gid}/users/m3`)).body.data).toEqual({
      result: true,
      groupid: gid,
      action: 'add_member',
      user: 'm3',
    });
    const many = await json('POST', `/chatgroups/${gid}/users`, { usernames: ['m3', 'm4'] });
    expect(many.body.data).toEqual({ newmembers: ['m4'], groupid: gid, action: 'add_member' });
    // five is the most: a sixth is refused
    expectEasemobError(await json('POST', `/chatgroups/${gid}/users/m5`), 400, 'illegal_argument');
    const page = await json('GET', `/chatgroups/${gid}/users?pagesize=2&pagenum=2`);
    expect(page.body.data).toEqual([{ member: 'm2' }, { member: 'm3' }]);
    expect((await json('DELETE', `/chatgroups/${gid}/users/m4`)).body.data).toEqual({
      result: true,
      action: 'remove_member',
      user: 'm4',
      groupid: gid,
    });
    const batch = await json('DELETE', `/chatgroups/${gid}/users/m3,m5,ghost`);
    expect(batch.body.data).toEqual([
      { result: true, action: 'remove_member', user: 'm3', groupid: gid },
      { result: false, action: 'remove_member', reason: `user m5 doesn't exist in group: ${gid}`, user: 'm5', groupid: gid },
      { result: false, action: 'remove_member', reason: "user ghost doesn't exist.", user: 'ghost', groupid: gid },
    ]);
  });

  it('names admins, transfers ownership and modifies the settings', async () => {
    expect((await json('POST', `/chatgroups/${gid}/admin`, { newadmin: 'm1' })).body.data).toEqual({ result: 'success', newadmin: 'm1' });
    expect((await json('GET', `/chatgroups/${gid}/admin`)).body.data).toEqual(['m1']);
    expect((await json('DELETE', `/chatgroups/${gid}/admin/m1`)).body.data).toEqual({ result: 'success', oldadmin: 'm1' });
    expect((await json('GET', `/chatgroups/${gid}/admin`)).body.data).toEqual([]);
    expect((await json('PUT', `/chatgroups/${gid}`, { newowner: 'm1' })).body.data).toEqual({ newowner: true });
    const modified = await json('PUT', `/chatgroups/${gid}`, { groupname: 'team2', description: 'd2', maxusers: 50, membersonly: true });
    expect(modified.body.data).toEqual({ groupname: true, description: true, maxusers: true, membersonly: true });
    expect((await json('GET', `/chatgroups/${gid}`)).body.data[0]).toMatchObject({
      name: 'team2',
      owner: 'm1',
      maxusers: 50,
      membersonly: true,
      affiliations: [{ member: 'owner' }, { owner: 'm1' }, { member: 'm2' }],
    });
    expectEasemobError(await json('PUT', `/chatgroups/${gid}`, { maxusers: 1 }), 400, 'illegal_argument');
  });

  it('mutes members for a while or all at once, and the domain refuses their sends', async () => {
    const muted = await json('POST', `/chatgroups/${gid}/mute`, { usernames: ['m2'], mute_duration: 60_000 });
    expect(muted.body.data).toEqual([{ result: true, expire: expect.any(Number), user: 'm2' }]);
    expect((await json('GET', `/chatgroups/${gid}/mute`)).body.data.map((m: any) => m.user)).toEqual(['m2']);
    expect(errorCode(await send('m2', 'hello?'))).toBe('FORBIDDEN');
    expect((await json('DELETE', `/chatgroups/${gid}/mute/m2`)).body.data).toEqual([{ result: true, user: 'm2' }]);
    expect(errorCode(await send('m2', 'hello!'))).toBeUndefined();
    expect((await json('POST', `/chatgroups/${gid}/ban`)).body.data).toEqual({ mute: true });
    expect((await json('GET', `/chatgroups/${gid}`)).body.data[0].mute).toBe(true);
    expect(errorCode(await send('m2', 'anyone?'))).toBe('FORBIDDEN');
    expect(errorCode(await send('m1', 'the owner speaks'))).toBeUndefined();
    expect((await json('DELETE', `/chatgroups/${gid}/ban`)).body.data).toEqual({ mute: false });
    expect(errorCode(await send('m2', 'back'))).toBeUndefined();
  });

  it('blocks users out of the group until unblocked, and keeps an announcement', async () => {
    expect((await json('POST', `/chatgroups/${gid}/blocks/users/m2`)).body.data).toEqual({
      result: true,
      action: 'add_blocks',
      user: 'm2',
      groupid: gid,
    });
    expect((await json('GET', `/chatgroups/${gid}/blocks/users`)).body.data).toEqual(['m2']);
    expect((await json('GET', `/chatgroups/${gid}/users`)).body.data).toEqual([{ member: 'owner' }, { owner: 'm1' }]);
    expectEasemobError(await json('POST', `/chatgroups/${gid}/users/m2`), 403, 'forbidden_op');
    expect((await json('DELETE', `/chatgroups/${gid}/blocks/users/m2`)).body.data).toEqual({
      result: true,
      action: 'remove_blocks',
      user: 'm2',
      groupid: gid,
    });
    expect((await json('POST', `/chatgroups/${gid}/users/m2`)).status).toBe(200);
    expect((await json('POST', `/chatgroups/${gid}/announcement`, { announcement: 'Meeting at 9' })).body.data).toEqual({
      id: gid,
      result: true,
    });
    expect((await json('GET', `/chatgroups/${gid}/announcement`)).body.data).toEqual({ announcement: 'Meeting at 9' });
  });

  it('answers unknown groups and bad input in the vendor’s words', async () => {
    expectEasemobError(await json('GET', '/chatgroups/999999/users'), 404, 'resource_not_found');
    expectEasemobError(await json('GET', '/chatgroups/999999'), 400, 'illegal_argument');
    expectEasemobError(await json('POST', '/chatgroups', { groupname: 'x' }), 400, 'required_property_not_found');
    expectEasemobError(await json('POST', `/chatgroups/${gid}/users`, { usernames: [] }), 400, 'illegal_argument');
    const m2 = await userToken(server, em.app.appId, 'm2', 'secret-pass');
    // A member's own token is heard, and the group's roles refuse it (group-user-token.test.ts has the rest).
    expectEasemobError(await json('DELETE', `/chatgroups/${gid}`, undefined, m2), 403, 'forbidden_op');
  });
});

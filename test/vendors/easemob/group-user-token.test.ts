import { startTestServer, type TestServer } from '../../helpers/harness';
import { easemobClient, expectEasemobError, type EasemobClient } from './helpers';

// Issue 17: the group calls of the vendor's web SDK, made with a user token (its paths, query strings
// and bodies as the SDK sends them); the domain's roles decide what each user may do.
describe('Easemob chat groups with a user token', () => {
  let server: TestServer;
  let em: EasemobClient;
  const tokens: Record<string, string> = {};
  const sdk = (who: string, method: string, path: string, body?: unknown) =>
    em.call(method, path, { token: tokens[who]!, contentType: 'application/json', ...(body === undefined ? {} : { body }) });
  const membersOf = async (gid: string) =>
    (
      await server.ok(
        `query($g: Int!) { group(groupId: $g) { owner { username } conversation { members(first: 100) { nodes { user { username } } } } } }`,
        { g: Number(gid) },
        em.admin,
      )
    ).group;

  beforeAll(async () => {
    server = await startTestServer();
    em = await easemobClient(server);
    const names = ['alice', 'bob', 'carol', 'dave'];
    const r = await em.call('POST', '/users', {
      contentType: 'application/json',
      body: names.map((username) => ({ username, password: 'pw-123456' })),
    });
    expect(r.status).toBe(200);
    for (const username of names) {
      const grant = await em.call('POST', '/token', {
        token: null,
        contentType: 'application/json',
        body: { grant_type: 'password', username, password: 'pw-123456' },
      });
      tokens[username] = grant.body.access_token;
    }
  });
  afterAll(() => server.close());

  const create = (who: string, extra: Record<string, unknown>) =>
    sdk(who, 'POST', '/chatgroups?resource=web_1', {
      owner: who,
      groupname: 'weekend',
      avatar: '',
      desc: 'plans',
      members: ['bob'],
      public: false,
      approval: false,
      allowinvites: true,
      invite_need_confirm: false,
      maxusers: 200,
      custom: '',
      ...extra,
    });

  it('creates a group as the SDK does, owned by the caller, and refuses to create one for someone else', async () => {
    const created = await create('alice', {});
    expect(created.status).toBe(200);
    const gid = created.body.data.groupid as string;
    const group = await membersOf(gid);
    expect(group.owner.username).toBe('alice');
    expect((await em.call('GET', `/chatgroups/${gid}`)).body.data[0].description).toBe('plans'); // the SDK's `desc`
    expectEasemobError(await create('alice', { owner: 'bob' }), 403, 'forbidden_op');
    expectEasemobError(
      await em.call('POST', '/chatgroups', { token: null, contentType: 'application/json', body: { owner: 'alice' } }),
      401,
      'unauthorized',
    );
  });

  it('lets members read, the owner and admins manage, members invite where allowed, anyone leave but the owner', async () => {
    const gid = (await create('alice', {})).body.data.groupid as string;
    // Reading: members yes, others are told the group does not exist.
    const info = await sdk('bob', 'GET', `/chatgroups/${gid}?joined_time=true`);
    expect(info.status).toBe(200);
    expect(info.body.data[0]).toMatchObject({ id: gid, owner: 'alice', affiliations_count: 2 });
    expect((await sdk('bob', 'GET', `/chatgroups/${gid}/users?version=v3`)).body.data).toEqual([{ owner: 'alice' }, { member: 'bob' }]);
    expectEasemobError(await sdk('dave', 'GET', `/chatgroups/${gid}/users?version=v3`), 404, 'resource_not_found');
    // Managing: a member may not, the owner may.
    expectEasemobError(await sdk('bob', 'PUT', `/chatgroups/${gid}?resource=web_1`, { groupname: 'mine' }), 403, 'forbidden_op');
    expect((await sdk('alice', 'PUT', `/chatgroups/${gid}?resource=web_1`, { description: 'new plans' })).body.data).toEqual({
      description: true,
    });
    // Inviting: this group allows members to invite.
    const invited = await sdk('bob', 'POST', `/chatgroups/${gid}/invite?resource=web_1`, { usernames: ['carol'] });
    expect(invited.body.data).toEqual({ newmembers: ['carol'], groupid: gid, action: 'invite' });
    // Admins: only the owner names them; an admin then mutes; a plain member cannot.
    expectEasemobError(
      await sdk('bob', 'POST', `/chatgroups/${gid}/admin?resource=web_1&version=v3`, { newadmin: 'carol' }),
      403,
      'forbidden_op',
    );
    expect((await sdk('alice', 'POST', `/chatgroups/${gid}/admin?resource=web_1&version=v3`, { newadmin: 'bob' })).status).toBe(200);
    expect((await sdk('carol', 'GET', `/chatgroups/${gid}/admin?version=v3`)).body.data).toEqual(['bob']);
    expect(
      (await sdk('bob', 'POST', `/chatgroups/${gid}/mute?resource=web_1&version=v3`, { usernames: ['carol'], mute_duration: 60_000 }))
        .status,
    ).toBe(200);
    expectEasemobError(
      await sdk('carol', 'POST', `/chatgroups/${gid}/mute?version=v3`, { usernames: ['bob'], mute_duration: 60_000 }),
      403,
      'forbidden_op',
    );
    // An admin acts on plain members only, never on the owner.
    expectEasemobError(
      await sdk('bob', 'POST', `/chatgroups/${gid}/mute?version=v3`, { usernames: ['alice'], mute_duration: 60_000 }),
      403,
      'forbidden_op',
    );
    expectEasemobError(await sdk('bob', 'POST', `/chatgroups/${gid}/blocks/users/alice?version=v3`), 403, 'forbidden_op');
    // Leaving: carol quits; the owner cannot.
    expect((await sdk('carol', 'DELETE', `/chatgroups/${gid}/quit?resource=web_1`)).body.data).toEqual({ result: true });
    expect((await membersOf(gid)).conversation.members.nodes.map((m: { user: { username: string } }) => m.user.username)).toEqual([
      'alice',
      'bob',
    ]);
    expectEasemobError(await sdk('alice', 'DELETE', `/chatgroups/${gid}/quit?resource=web_1`), 400, 'illegal_argument');
    const appQuits = await em.call('DELETE', `/chatgroups/${gid}/quit`);
    expect(appQuits.status).toBe(400); // the app is no member: it names no one to leave
    // Dissolving: not by an outsider or an admin, by the owner.
    expectEasemobError(await sdk('dave', 'DELETE', `/chatgroups/${gid}?version=v3&resource=web_1`), 404, 'resource_not_found');
    expectEasemobError(await sdk('bob', 'DELETE', `/chatgroups/${gid}?version=v3&resource=web_1`), 403, 'forbidden_op');
    expect((await sdk('alice', 'DELETE', `/chatgroups/${gid}?version=v3&resource=web_1`)).body.data).toEqual({
      success: true,
      groupid: gid,
    });
  });

  it('lists the public groups to any user of the app, and the whole list only to the app', async () => {
    const open = (await create('carol', { public: true, groupname: 'open' })).body.data.groupid as string;
    const closed = (await create('carol', { public: false, groupname: 'closed' })).body.data.groupid as string;
    const listed = await sdk('dave', 'GET', '/publicchatgroups?limit=100&version=v3');
    expect(listed.status).toBe(200);
    const ids = listed.body.data.map((g: { id: string }) => g.id);
    expect(ids).toContain(open);
    expect(ids).not.toContain(closed);
    expect(listed.body.data.find((g: { id: string }) => g.id === open)).toMatchObject({ name: 'open', groupid: open, groupname: 'open' });
    expectEasemobError(await sdk('dave', 'GET', '/chatgroups?limit=10'), 401, 'unauthorized');
    expect((await em.call('GET', '/publicchatgroups?limit=100')).status).toBe(200);
  });
});

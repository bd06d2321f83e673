import { errorCode, provisionApp, registerUser, startTestServer, userToken, type TestServer } from '../helpers/harness';
import { listening, subscribe } from '../helpers/live';

const CHANGED = `subscription { conversationChanged { conversationId change users { username } } }`;

describe('groups', () => {
  let server: TestServer;
  let app: Awaited<ReturnType<typeof provisionApp>>;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    server = await startTestServer();
    app = await provisionApp(server, 'groups-app');
    for (const u of ['owner', 'admin', 'member', 'newbie', 'outsider']) {
      await registerUser(server, app.token, u);
      tokens[u] = await userToken(server, app.appId, u);
    }
  });
  afterAll(() => server.close());

  const as =
    (who: string) =>
    (query: string, variables: Record<string, unknown> = {}) =>
      server.gql(query, variables, tokens[who] ?? app.token);
  const changes = (sub: ReturnType<typeof subscribe>) =>
    sub.received.map(
      (r) =>
        `${r.data.conversationChanged.change}:${r.data.conversationChanged.users.map((u: { username: string }) => u.username).join(',')}`,
    );

  it('runs a group through its life: add, roles, rename, remove, upgrade, dissolve, with events to members', async () => {
    const created = await server.ok(
      `mutation { createGroup(input: { name: "  Team  ", members: [{ username: "admin" }, { username: "member" }, { username: "owner" }] }) {
        groupId name super dissolved owner { username } conversation { id kind members { nodes { role user { username } } } } } }`,
      {},
      tokens.owner,
    );
    const g = created.createGroup;
    expect(g).toMatchObject({
      name: 'Team',
      super: false,
      dissolved: false,
      owner: { username: 'owner' },
      conversation: { kind: 'GROUP' },
    });
    expect(Number.isInteger(g.groupId)).toBe(true);
    expect(g.conversation.members.nodes.map((m: any) => `${m.user.username}:${m.role}`)).toEqual([
      'owner:OWNER',
      'admin:MEMBER',
      'member:MEMBER',
    ]);
    const vars = { g: g.groupId };

    const watch = await listening(server, () => subscribe(server.wsUrl, tokens.member!, CHANGED));

    // A plain member manages nothing; the owner promotes an admin, who then can.
    const rename = `mutation($g: Int!, $n: String!) { renameGroup(groupId: $g, name: $n) { name } }`;
    expect(errorCode(await as('member')(rename, { ...vars, n: 'Mine' }))).toBe('FORBIDDEN');
    const promote = `mutation($g: Int!, $u: String!, $r: MemberRole!) { updateGroupMember(groupId: $g, user: { username: $u }, input: { role: $r }) { role } }`;
    expect((await as('owner')(promote, { ...vars, u: 'admin', r: 'ADMIN' })).body.data!.updateGroupMember.role).toBe('ADMIN');
    expect(errorCode(await as('admin')(promote, { ...vars, u: 'member', r: 'OWNER' }))).toBe('INVALID_INPUT');
    expect((await as('admin')(rename, { ...vars, n: 'Renamed' })).body.data!.renameGroup.name).toBe('Renamed');
    expect(errorCode(await as('admin')(rename, { ...vars, n: '   ' }))).toBe('INVALID_INPUT');

    // Members change their own settings, not each other's.
    const settings = `mutation($g: Int!, $u: String!, $i: UpdateMemberInput!) { updateGroupMember(groupId: $g, user: { username: $u }, input: $i) { nickname doNotDisturb muted } }`;
    expect(
      (await as('member')(settings, { ...vars, u: 'member', i: { nickname: 'Mem', doNotDisturb: true } })).body.data!.updateGroupMember,
    ).toEqual({ nickname: 'Mem', doNotDisturb: true, muted: false });
    expect(errorCode(await as('member')(settings, { ...vars, u: 'admin', i: { nickname: 'x' } }))).toBe('FORBIDDEN');
    expect(errorCode(await as('member')(settings, { ...vars, u: 'member', i: {} }))).toBe('INVALID_INPUT');

    const add = `mutation($g: Int!, $m: [UserRef!]!) { addGroupMembers(groupId: $g, members: $m) { groupId } }`;
    await server.ok(add, { ...vars, m: [{ username: 'newbie' }] }, tokens.admin);
    expect(errorCode(await as('admin')(add, { ...vars, m: [] }))).toBe('INVALID_INPUT');
    expect(errorCode(await as('admin')(add, { ...vars, m: [{ username: 'ghost' }] }))).toBe('NOT_FOUND');

    const remove = `mutation($g: Int!, $m: [UserRef!]!) { removeGroupMembers(groupId: $g, members: $m) { groupId } }`;
    expect(errorCode(await as('admin')(remove, { ...vars, m: [{ username: 'owner' }] }))).toBe('INVALID_INPUT');
    await server.ok(remove, { ...vars, m: [{ username: 'newbie' }] }, tokens.admin);
    expect(errorCode(await as('newbie')(`query($g: Int!) { group(groupId: $g) { name } }`, vars))).toBe('NOT_FOUND');
    expect(errorCode(await as('owner')(`mutation($g: Int!) { leaveGroup(groupId: $g) { groupId } }`, vars))).toBe('INVALID_INPUT');

    expect((await server.ok(`mutation($g: Int!) { upgradeGroup(groupId: $g) { super } }`, vars, tokens.owner)).upgradeGroup.super).toBe(
      true,
    );
    expect(errorCode(await as('admin')(`mutation($g: Int!) { dissolveGroup(groupId: $g) { dissolved } }`, vars))).toBe('FORBIDDEN');
    expect(
      (await server.ok(`mutation($g: Int!) { dissolveGroup(groupId: $g) { dissolved } }`, vars, tokens.owner)).dissolveGroup.dissolved,
    ).toBe(true);

    await watch.waitFor(8);
    expect(changes(watch)).toEqual([
      'MEMBER_SETTINGS:', // admin promoted
      'RENAMED:',
      'MEMBER_SETTINGS:', // member's own nickname
      'MEMBER_ADDED:newbie',
      'MEMBER_REMOVED:newbie',
      'UPGRADED:',
      'DISSOLVED:',
      'MEMBER_REMOVED:owner,admin,member', // the dissolution empties the conversation
    ]);
    expect(watch.received.every((r) => r.data.conversationChanged.conversationId === g.conversation.id)).toBe(true);
    await watch.close();

    // After dissolution the group and its conversation are gone for everyone.
    expect(errorCode(await as('owner')(`query($g: Int!) { group(groupId: $g) { name } }`, vars))).toBe('NOT_FOUND');
    expect(
      errorCode(
        await as('owner')(`mutation($c: ID!) { sendMessage(input: { conversationId: $c, type: TEXT, text: "x" }) { id } }`, {
          c: g.conversation.id,
        }),
      ),
    ).toBe('NOT_FOUND');
    expect(errorCode(await as('owner')(rename, { g: 987654, n: 'x' }))).toBe('NOT_FOUND');
  });

  it('lets an app principal create groups for a named owner and manage them', async () => {
    const { createGroup } = await server.ok(
      `mutation { createGroup(input: { name: "by app", owner: { username: "admin" }, members: [{ username: "member" }], super: true }) { groupId super owner { username } } }`,
      {},
      app.token,
    );
    expect(createGroup).toMatchObject({ super: true, owner: { username: 'admin' } });
    const left = await server.ok(
      `mutation($g: Int!) { leaveGroup(groupId: $g, user: { username: "member" }) { groupId } }`,
      { g: createGroup.groupId },
      app.token,
    );
    expect(left.leaveGroup.groupId).toBe(createGroup.groupId);
    expect(errorCode(await server.gql(`mutation { createGroup(input: { name: "x" }) { groupId } }`, {}, app.token))).toBe('INVALID_INPUT');
    expect(
      errorCode(
        await server.gql(`mutation { createGroup(input: { name: "x", owner: { username: "ghost" } }) { groupId } }`, {}, app.token),
      ),
    ).toBe('NOT_FOUND');
  });

  it('keeps other apps out of a group', async () => {
    const other = await provisionApp(server, 'groups-other');
    const { createGroup } = await server.ok(`mutation { createGroup(input: { name: "private" }) { groupId } }`, {}, tokens.owner);
    const res = await server.gql(`query($g: Int!) { group(groupId: $g) { name } }`, { g: createGroup.groupId }, other.token);
    expect(errorCode(res)).toBe('NOT_FOUND');
    expect(errorCode(await as('outsider')(`query($g: Int!) { group(groupId: $g) { name } }`, { g: createGroup.groupId }))).toBe(
      'NOT_FOUND',
    );
  });
});

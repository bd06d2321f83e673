import { errorCode, provisionApp, startTestServer, userToken, type TestServer } from '../helpers/harness';

// Issue 16: Conversation.members is a connection; a large conversation is never loaded whole.
const PAGE = `query($c: ID!, $n: Int, $after: String) { conversation(id: $c) {
  members(first: $n, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { user { username } role } } } } }`;

describe('Conversation.members as a connection', () => {
  let server: TestServer;
  let owner: string;
  let big: string;
  let small: string;
  const finds: Record<string, unknown>[] = [];
  // Member page queries (the caller's own membership check is the other find on members).
  const record = (e: { commandName: string; command: Record<string, any> }) => {
    if (e.commandName === 'find' && e.command.find === 'members' && !e.command.filter?.userId) finds.push(e.command);
  };

  beforeAll(async () => {
    server = await startTestServer({ OUTBOX_WORKER: 'false' });
    const app = await provisionApp(server);
    const users = Array.from({ length: 80 }, (_, i) => ({ username: `m${String(i).padStart(2, '0')}`, password: 'secret-pass' }));
    const register = `mutation($i: [RegisterUserInput!]!) { registerUsers(input: $i) { users { id } } }`;
    for (const batch of [users.slice(0, 40), users.slice(40)]) await server.ok(register, { i: batch }, app.token);
    owner = await userToken(server, app.appId, 'm00');
    const create = `mutation($n: String!, $m: [UserRef!]) { createGroup(input: { name: $n, members: $m }) { conversation { id } } }`;
    const members = (n: number) => users.slice(1, n).map((u) => ({ username: u.username }));
    big = (await server.ok(create, { n: 'big', m: members(80) }, owner)).createGroup.conversation.id;
    small = (await server.ok(create, { n: 'small', m: members(4) }, owner)).createGroup.conversation.id;
    server.app.db.connection.getClient().on('commandStarted', record);
  });
  afterAll(async () => {
    server.app.db.connection.getClient().off('commandStarted', record);
    await server.close();
  });

  it('pages a conversation of 80 members ten at a time, in joining order, none missing or twice, each page one bounded query', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      finds.length = 0;
      const res: any = await server.ok(PAGE, { c: big, n: 10, after }, owner);
      const m = res.conversation.members;
      expect(m.totalCount).toBe(80);
      expect(m.pageInfo.hasPreviousPage).toBe(after !== null);
      seen.push(...m.edges.map((e: any) => e.node.user.username));
      expect(finds.map((f) => f.limit)).toEqual([11]); // ten and one to know whether more follow
      after = m.pageInfo.endCursor;
      if (!m.pageInfo.hasNextPage) break;
    }
    expect(seen[0]).toBe('m00'); // the owner joined first
    expect(new Set(seen).size).toBe(80);
    expect([...seen.slice(1)].sort()).toEqual(seen.slice(1).sort());
  });

  it('answers a small conversation from one query, whole when it fits', async () => {
    finds.length = 0;
    const res: any = await server.ok(PAGE, { c: small, n: 20, after: null }, owner);
    expect(res.conversation.members.edges.map((e: any) => `${e.node.user.username}:${e.node.role}`)).toEqual([
      'm00:OWNER',
      'm01:MEMBER',
      'm02:MEMBER',
      'm03:MEMBER',
    ]);
    expect(res.conversation.members.pageInfo.hasNextPage).toBe(false);
    expect(finds).toHaveLength(1);
  });

  it('refuses a page size out of range and a cursor it did not make', async () => {
    for (const vars of [{ n: 0 }, { n: 101 }, { n: 5, after: 'bm9wZQ' }]) {
      const res = await server.gql(PAGE, { c: small, after: null, ...vars }, owner);
      expect(errorCode(res)).toBe('INVALID_INPUT');
    }
  });
});

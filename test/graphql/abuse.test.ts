import { errorCode, provisionApp, registerUser, startTestServer, userToken, type TestServer } from '../helpers/harness';

const MUTES = `mutation($m: [GroupMuteInput!]) { updateNotificationSettings(input: { groupMutes: $m }) { notificationSettings { groupMutes { groupId muted } } } }`;
const mutes = (ids: string[], muted = true) => ids.map((groupId) => ({ groupId, muted }));

// Inputs a user could use to grow their own records, or to hit someone else's state by accident.
describe('abuse: bounded user records and exact token revocation', () => {
  let server: TestServer;
  let token: string;
  let strangerToken: string;
  const groups: string[] = [];
  const newGroup = async (name: string, t: string) =>
    String((await server.ok(`mutation($n: String!) { createGroup(input: { name: $n }) { groupId } }`, { n: name }, t)).createGroup.groupId);

  beforeAll(async () => {
    server = await startTestServer({ USER_MAX_GROUP_MUTES: '3' });
    const app = await provisionApp(server);
    await registerUser(server, app.token, 'grower');
    await registerUser(server, app.token, 'stranger');
    token = await userToken(server, app.appId, 'grower');
    strangerToken = await userToken(server, app.appId, 'stranger');
    for (let i = 0; i < 4; i++) groups.push(await newGroup(`g${i}`, token));
  });
  afterAll(() => server.close());

  it('keeps at most USER_MAX_GROUP_MUTES group mutes per user, counted across calls', async () => {
    const tooMany = await server.gql(MUTES, { m: mutes(groups.slice(0, 4)) }, token);
    expect(errorCode(tooMany)).toBe('INVALID_INPUT');
    expect(tooMany.body.errors?.[0]?.message).toMatch(/at most 3 group mutes/);
    await server.ok(MUTES, { m: mutes(groups.slice(0, 2)) }, token);
    await server.ok(MUTES, { m: mutes(groups.slice(0, 3)) }, token); // overlapping keys count once
    expect(errorCode(await server.gql(MUTES, { m: mutes(groups.slice(3, 4)) }, token))).toBe('INVALID_INPUT');
  });

  it("mutes only groups the user belongs to, and always lets a dissolved group's mute be switched off", async () => {
    const theirs = await newGroup('theirs', strangerToken);
    for (const id of [theirs, '987654321', '0', '-1', 'x'.repeat(20)]) {
      const res = await server.gql(MUTES, { m: mutes([id], id !== theirs) }, token);
      expect(errorCode(res)).toBe('INVALID_INPUT');
    }
    await server.ok(`mutation($g: Int!) { dissolveGroup(groupId: $g) { id } }`, { g: Number(groups[0]) }, token);
    const off = await server.ok(MUTES, { m: mutes([groups[0]!], false) }, token);
    expect(off.updateNotificationSettings.notificationSettings.groupMutes).toContainEqual({ groupId: groups[0], muted: false });
    expect(errorCode(await server.gql(MUTES, { m: mutes([groups[0]!]) }, token))).toBe('INVALID_INPUT');
  });

  it('refuses revokeToken with an empty token instead of revoking the caller', async () => {
    const res = await server.gql(`mutation { revokeToken(token: "") }`, {}, token);
    expect(errorCode(res)).toBe('INVALID_INPUT');
    expect((await server.ok(`{ me { username } }`, {}, token)).me.username).toBe('grower');
  });
});

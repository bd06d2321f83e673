import { errorCode, provisionApp, registerUser, startTestServer, userToken, type TestServer } from '../helpers/harness';

const MUTES = `mutation($m: [GroupMuteInput!]) { updateNotificationSettings(input: { groupMutes: $m }) { id } }`;
const mutes = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ groupId: String(from + i), muted: true }));

// Inputs a user could use to grow their own records, or to hit someone else's state by accident.
describe('abuse: bounded user records and exact token revocation', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer();
    const app = await provisionApp(server);
    await registerUser(server, app.token, 'grower');
    token = await userToken(server, app.appId, 'grower');
  });
  afterAll(() => server.close());

  it('keeps at most 500 group mutes per user, counted across calls', async () => {
    expect(errorCode(await server.gql(MUTES, { m: mutes(1, 501) }, token))).toBe('INVALID_INPUT');
    await server.ok(MUTES, { m: mutes(1, 300) }, token);
    await server.ok(MUTES, { m: mutes(1, 500) }, token); // overlapping keys count once
    const over = await server.gql(MUTES, { m: mutes(1000, 1) }, token);
    expect(errorCode(over)).toBe('INVALID_INPUT');
    expect(over.body.errors?.[0]?.message).toMatch(/500/);
  });

  it('refuses revokeToken with an empty token instead of revoking the caller', async () => {
    const res = await server.gql(`mutation { revokeToken(token: "") }`, {}, token);
    expect(errorCode(res)).toBe('INVALID_INPUT');
    expect((await server.ok(`{ me { username } }`, {}, token)).me.username).toBe('grower');
  });
});

import { errorCode, provisionApp, registerUser, startTestServer, userToken, type TestServer } from '../helpers/harness';

const USER_FIELDS = `id username uuid nickname activated createdAt updatedAt
  profile { displayName mobile email portrait }
  notificationSettings { displayStyle doNotDisturb { enabled startHour endHour } groupMutes { groupId muted } }
  deviceTokens { provider token }`;

describe('users', () => {
  let server: TestServer;
  let app: Awaited<ReturnType<typeof provisionApp>>;
  const register = (input: Record<string, unknown>, token = app.token) =>
    server.gql(`mutation($i: RegisterUserInput!) { registerUser(input: $i) { ${USER_FIELDS} } }`, { i: input }, token);

  beforeAll(async () => {
    server = await startTestServer();
    app = await provisionApp(server, 'users-app');
  });
  afterAll(() => server.close());

  describe('registration', () => {
    it('registers a user with nickname and profile, keeping the username as typed', async () => {
      const res = await register({
        username: 'Jane.Doe-1_x',
        password: 'pw',
        nickname: 'Jane',
        profile: {
          displayName: 'Jane D.',
          email: 'jane@example.com',
          mobile: '+34 600 000 000',
          portrait: 'https://cdn.example.com/j.png',
        },
      });
      expect(res.body.errors).toBeUndefined();
      const u = res.body.data!.registerUser as Record<string, any>;
      expect(u).toMatchObject({
        username: 'Jane.Doe-1_x',
        nickname: 'Jane',
        activated: true,
        profile: {
          displayName: 'Jane D.',
          email: 'jane@example.com',
          mobile: '+34 600 000 000',
          portrait: 'https://cdn.example.com/j.png',
        },
        notificationSettings: { displayStyle: null, doNotDisturb: { enabled: null, startHour: null, endHour: null }, groupMutes: [] },
        deviceTokens: [],
      });
      expect(u.uuid).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('rejects the same username in another case as a conflict', async () => {
      await registerUser(server, app.token, 'CaseUser');
      for (const username of ['caseuser', 'CASEUSER', 'cAsEuSeR']) {
        const res = await register({ username, password: 'pw' });
        expect(errorCode(res)).toBe('CONFLICT');
        expect(res.body.errors![0]!.extensions).toMatchObject({ field: 'username', reason: 'username_taken' });
      }
    });

    it.each([
      ['', 'required'],
      ['has space', 'illegal_characters'],
      ['hash#tag', 'illegal_characters'],
      ['mail@example.com', 'illegal_characters'],
      ['中文', 'illegal_characters'],
      ['a'.repeat(65), 'too_long'],
      ['123e4567-e89b-12d3-a456-426614174000', 'illegal_characters'],
    ])('rejects username %j (%s)', async (username, reason) => {
      const res = await register({ username, password: 'pw' });
      expect(errorCode(res)).toBe('INVALID_INPUT');
      expect(res.body.errors![0]!.extensions).toMatchObject({ field: 'username', reason });
    });

    it('accepts a username of exactly 64 bytes', async () => {
      const res = await register({ username: 'b'.repeat(64), password: 'pw' });
      expect(res.body.errors).toBeUndefined();
    });

    it.each([
      [{ username: 'p1', password: '' }, 'password'],
      [{ username: 'p2', password: 'x'.repeat(65) }, 'password'],
      [{ username: 'p3', password: 'pw', nickname: 'n'.repeat(101) }, 'nickname'],
      [{ username: 'p4', password: 'pw', profile: { email: 'not-an-email' } }, 'profile.email'],
      [{ username: 'p5', password: 'pw', profile: { mobile: 'call me' } }, 'profile.mobile'],
      [{ username: 'p6', password: 'pw', profile: { portrait: 'ftp://x/y' } }, 'profile.portrait'],
    ])('rejects bad input %j at %s', async (input, field) => {
      const res = await register(input);
      expect(errorCode(res)).toBe('INVALID_INPUT');
      expect(res.body.errors![0]!.extensions!.field).toBe(field);
    });

    it('answers GraphQL validation errors for missing or mistyped arguments, without suggestions', async () => {
      const missing = await server.gql(`mutation { registerUser(input: { username: "x" }) { id } }`, {}, app.token);
      expect(missing.status).toBe(400);
      expect(errorCode(missing)).toBe('GRAPHQL_VALIDATION_FAILED');
      const typo = await server.gql(`mutation { registerUsr(input: { username: "x", password: "y" }) { id } }`, {}, app.token);
      expect(errorCode(typo)).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(typo.body.errors![0]!.message).not.toMatch(/Did you mean/);
      const badVar = await server.gql(
        `mutation($i: RegisterUserInput!) { registerUser(input: $i) { id } }`,
        { i: { username: 5 } },
        app.token,
      );
      expect(errorCode(badVar)).toBe('BAD_USER_INPUT');
    });

    it('refuses registration without a token unless the app allows open registration', async () => {
      const anonymous = (appId: string) =>
        server.gql(`mutation($i: RegisterUserInput!, $a: ID) { registerUser(input: $i, appId: $a) { username } }`, {
          i: { username: 'self-signup', password: 'pw' },
          a: appId,
        });
      expect(errorCode(await anonymous(app.appId))).toBe('UNAUTHENTICATED');
      const open = await provisionApp(server, 'open-app', true);
      const res = await anonymous(open.appId);
      expect(res.body.data).toEqual({ registerUser: { username: 'self-signup' } });
      // and an app can switch it off for itself
      await server.ok(
        `mutation($id: ID!) { updateAppSettings(appId: $id, input: { openRegistration: false }) { openRegistration } }`,
        { id: open.appId },
        open.token,
      );
      expect(errorCode(await anonymous(open.appId))).toBe('UNAUTHENTICATED');
    });

    it('registers in batch, reporting per-item failures while writing the others', async () => {
      await registerUser(server, app.token, 'batch-existing');
      const { registerUsers } = await server.ok(
        `mutation($i: [RegisterUserInput!]!) { registerUsers(input: $i) { users { username nickname } failures { index username code reason message } } }`,
        {
          i: [
            { username: 'batch1', password: 'a', nickname: 'one' },
            { username: 'BATCH-EXISTING', password: 'b' },
            { username: 'bad name', password: 'c' },
            { username: 'batch2', password: 'd' },
            { username: 'Batch1', password: 'e' },
          ],
        },
        app.token,
      );
      expect(registerUsers.users).toEqual([
        { username: 'batch1', nickname: 'one' },
        { username: 'batch2', nickname: null },
      ]);
      expect(registerUsers.failures).toEqual([
        expect.objectContaining({ index: 1, username: 'BATCH-EXISTING', code: 'CONFLICT', reason: 'username_taken' }),
        expect.objectContaining({ index: 2, username: 'bad name', code: 'INVALID_INPUT', reason: 'illegal_characters' }),
        expect.objectContaining({ index: 4, username: 'Batch1', code: 'CONFLICT', reason: 'username_taken' }),
      ]);
      await userToken(server, app.appId, 'batch2', 'd');
    });

    it('limits a batch to 60 users and refuses an empty one', async () => {
      const q = `mutation($i: [RegisterUserInput!]!) { registerUsers(input: $i) { users { id } } }`;
      const many = Array.from({ length: 61 }, (_, i) => ({ username: `many${i}`, password: 'pw' }));
      const res = await server.gql(q, { i: many }, app.token);
      expect(errorCode(res)).toBe('INVALID_INPUT');
      expect(res.body.errors![0]!.extensions!.reason).toBe('limit_exceeded');
      expect(errorCode(await server.gql(q, { i: [] }, app.token))).toBe('INVALID_INPUT');
      const { users } = await server.ok(`{ users(first: 100) { nodes { username } } }`, {}, app.token);
      expect(users.nodes.some((n: { username: string }) => n.username.startsWith('many'))).toBe(false);
    });

    it('does not let a user token register users', async () => {
      await registerUser(server, app.token, 'plain');
      const token = await userToken(server, app.appId, 'plain');
      expect(errorCode(await register({ username: 'other', password: 'pw' }, token))).toBe('FORBIDDEN');
    });
  });

  describe('reading', () => {
    it('gets a user by id or by username in any case; unknown is NOT_FOUND; exactly one ref', async () => {
      const u = await registerUser(server, app.token, 'Reader');
      const byName = await server.ok(`query($r: UserRef!) { user(ref: $r) { id } }`, { r: { username: 'READER' } }, app.token);
      expect(byName.user.id).toBe(u.id);
      const byId = await server.ok(`query($r: UserRef!) { user(ref: $r) { username } }`, { r: { id: u.id } }, app.token);
      expect(byId.user.username).toBe('Reader');
      for (const r of [{ username: 'ghost' }, { id: '0123456789abcdef01234567' }, { id: 'zzz' }]) {
        expect(errorCode(await server.gql(`query($r: UserRef!) { user(ref: $r) { id } }`, { r }, app.token))).toBe('NOT_FOUND');
      }
      for (const r of [{}, { id: u.id, username: 'Reader' }]) {
        expect(errorCode(await server.gql(`query($r: UserRef!) { user(ref: $r) { id } }`, { r }, app.token))).toBe('INVALID_INPUT');
      }
    });

    it("hides another user's private settings from a user token", async () => {
      await registerUser(server, app.token, 'peeker');
      const token = await userToken(server, app.appId, 'peeker');
      const { user } = await server.ok(
        `query { user(ref: { username: "Reader" }) { username notificationSettings { displayStyle } deviceTokens { token } } }`,
        {},
        token,
      );
      expect(user).toEqual({ username: 'Reader', notificationSettings: null, deviceTokens: null });
      expect(errorCode(await server.gql(`{ users { nodes { id } } }`, {}, token))).toBe('FORBIDDEN');
    });
  });

  describe('listing with cursors', () => {
    it('pages through every user in registration order without overlap', async () => {
      const other = await provisionApp(server, 'paging-app');
      const names = Array.from({ length: 7 }, (_, i) => `pager${i}`);
      for (const n of names) await registerUser(server, other.token, n);
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const { users }: any = await server.ok(
          `query($after: String) { users(first: 3, after: $after) { edges { cursor node { username } } pageInfo { hasNextPage endCursor } } }`,
          { after },
          other.token,
        );
        pages++;
        seen.push(...users.edges.map((e: any) => e.node.username));
        if (!users.pageInfo.hasNextPage) break;
        after = users.pageInfo.endCursor;
      }
      expect(seen).toEqual(names);
      expect(pages).toBe(3);
    });

    it('rejects bad paging arguments', async () => {
      for (const [first, after] of [
        [0, null],
        [101, null],
        [5, 'garbage'],
      ] as const) {
        const res = await server.gql(
          `query($f: Int, $a: String) { users(first: $f, after: $a) { nodes { id } } }`,
          { f: first, a: after },
          app.token,
        );
        expect(errorCode(res)).toBe('INVALID_INPUT');
      }
    });
  });

  describe('updates', () => {
    let token: string;
    beforeAll(async () => {
      await registerUser(server, app.token, 'Updater', 'old-pass');
      token = await userToken(server, app.appId, 'Updater', 'old-pass');
    });

    it('updates own nickname and profile; empty clears a field', async () => {
      const { updateUserProfile } = await server.ok(
        `mutation { updateUserProfile(input: { nickname: "Upd", profile: { displayName: "U", email: "u@x.io" } }) { nickname profile { displayName email mobile } } }`,
        {},
        token,
      );
      expect(updateUserProfile).toEqual({ nickname: 'Upd', profile: { displayName: 'U', email: 'u@x.io', mobile: null } });
      const cleared = await server.ok(
        `mutation { updateUserProfile(user: { username: "updater" }, input: { nickname: "", profile: { email: null } }) { nickname profile { displayName email } } }`,
        {},
        app.token,
      );
      expect(cleared.updateUserProfile).toEqual({ nickname: null, profile: { displayName: 'U', email: null } });
    });

    it('rejects bad profile input and acting on another user with a user token', async () => {
      const bad = await server.gql(`mutation { updateUserProfile(input: { profile: { email: "nope" } }) { id } }`, {}, token);
      expect(errorCode(bad)).toBe('INVALID_INPUT');
      const other = await server.gql(
        `mutation { updateUserProfile(user: { username: "Reader" }, input: { nickname: "x" }) { id } }`,
        {},
        token,
      );
      expect(errorCode(other)).toBe('FORBIDDEN');
      const noUser = await server.gql(`mutation { updateUserProfile(input: { nickname: "x" }) { id } }`, {}, app.token);
      expect(errorCode(noUser)).toBe('INVALID_INPUT');
      expect(errorCode(await server.gql(`mutation { updateUserProfile(input: { nickname: "x" }) { id } }`))).toBe('UNAUTHENTICATED');
    });

    it('sets notification display style, do-not-disturb window and per-group push mutes', async () => {
      const group = async (name: string) =>
        String(
          (await server.ok(`mutation($n: String!) { createGroup(input: { name: $n }) { groupId } }`, { n: name }, token)).createGroup
            .groupId,
        );
      const [loud, quiet] = [await group('loud'), await group('quiet')];
      const { updateNotificationSettings } = await server.ok(
        `mutation($m: [GroupMuteInput!]) { updateNotificationSettings(input: {
            displayStyle: DETAILS, doNotDisturb: { enabled: true, startHour: 22, endHour: 7 }, groupMutes: $m }) {
          notificationSettings { displayStyle doNotDisturb { enabled startHour endHour } groupMutes { groupId muted } } } }`,
        {
          m: [
            { groupId: quiet, muted: true },
            { groupId: loud, muted: false },
          ],
        },
        token,
      );
      expect(updateNotificationSettings.notificationSettings).toEqual({
        displayStyle: 'DETAILS',
        doNotDisturb: { enabled: true, startHour: 22, endHour: 7 },
        groupMutes: [
          { groupId: loud, muted: false },
          { groupId: quiet, muted: true },
        ], // numeric order: "loud" was created first
      });
      const off = await server.ok(
        `mutation { updateNotificationSettings(input: { displayStyle: SUMMARY, doNotDisturb: { enabled: false } }) { notificationSettings { displayStyle doNotDisturb { enabled startHour endHour } } } }`,
        {},
        token,
      );
      expect(off.updateNotificationSettings.notificationSettings).toEqual({
        displayStyle: 'SUMMARY',
        doNotDisturb: { enabled: false, startHour: null, endHour: null },
      });
    });

    it.each([
      ['{ doNotDisturb: { enabled: true, startHour: 24, endHour: 7 } }', 'doNotDisturb.startHour'],
      ['{ doNotDisturb: { enabled: true, startHour: 1 } }', 'doNotDisturb'],
      ['{ groupMutes: [{ groupId: "a.b", muted: true }] }', 'groupMutes.0.groupId'],
      ['{}', 'input'],
    ])('rejects notification settings %s', async (input, field) => {
      const res = await server.gql(`mutation { updateNotificationSettings(input: ${input}) { id } }`, {}, token);
      expect(errorCode(res)).toBe('INVALID_INPUT');
      expect(res.body.errors![0]!.extensions!.field).toBe(field);
    });

    it('sets and removes push device tokens per provider', async () => {
      await server.ok(`mutation { setDeviceToken(input: { provider: APNS, token: "apns-1" }) { id } }`, {}, token);
      await server.ok(`mutation { setDeviceToken(input: { provider: FCM, token: "fcm-1" }) { id } }`, {}, token);
      const { setDeviceToken } = await server.ok(
        `mutation { setDeviceToken(input: { provider: APNS, token: "apns-2" }) { deviceTokens { provider token } } }`,
        {},
        token,
      );
      expect(setDeviceToken.deviceTokens).toEqual([
        { provider: 'FCM', token: 'fcm-1' },
        { provider: 'APNS', token: 'apns-2' },
      ]);
      const { removeDeviceToken } = await server.ok(
        `mutation { removeDeviceToken(provider: FCM) { deviceTokens { provider token } } }`,
        {},
        token,
      );
      expect(removeDeviceToken.deviceTokens).toEqual([{ provider: 'APNS', token: 'apns-2' }]);
      expect(errorCode(await server.gql(`mutation { setDeviceToken(input: { provider: XM, token: "" }) { id } }`, {}, token))).toBe(
        'INVALID_INPUT',
      );
      expect(errorCode(await server.gql(`mutation { setDeviceToken(input: { provider: NOPE, token: "x" }) { id } }`, {}, token))).toBe(
        'GRAPHQL_VALIDATION_FAILED',
      );
    });

    it('changes password: the user proves the old one, other sessions end, the app resets without it', async () => {
      const second = await userToken(server, app.appId, 'Updater', 'old-pass');
      const wrong = await server.gql(
        `mutation { changePassword(input: { oldPassword: "nope", newPassword: "new-pass" }) { id } }`,
        {},
        token,
      );
      expect(errorCode(wrong)).toBe('INVALID_INPUT');
      expect(errorCode(await server.gql(`mutation { changePassword(input: { newPassword: "new-pass" }) { id } }`, {}, token))).toBe(
        'INVALID_INPUT',
      );
      expect(
        errorCode(await server.gql(`mutation { changePassword(input: { oldPassword: "old-pass", newPassword: "" }) { id } }`, {}, token)),
      ).toBe('INVALID_INPUT');
      await server.ok(`mutation { changePassword(input: { oldPassword: "old-pass", newPassword: "new-pass" }) { id } }`, {}, token);
      expect((await server.gql(`{ me { id } }`, {}, token)).status).toBe(200);
      expect((await server.gql(`{ me { id } }`, {}, second)).status).toBe(401);
      await expect(userToken(server, app.appId, 'Updater', 'old-pass')).rejects.toThrow(/UNAUTHENTICATED/);
      await server.ok(
        `mutation { changePassword(user: { username: "Updater" }, input: { newPassword: "reset-pass" }) { id } }`,
        {},
        app.token,
      );
      expect((await server.gql(`{ me { id } }`, {}, token)).status).toBe(401);
      token = await userToken(server, app.appId, 'Updater', 'reset-pass');
    });
  });

  describe('activation and deletion', () => {
    it('deactivates (tokens revoked for good, no login) and activates again (new tokens work, old ones stay dead)', async () => {
      await registerUser(server, app.token, 'sleeper');
      const token = await userToken(server, app.appId, 'sleeper');
      const { deactivateUser } = await server.ok(`mutation { deactivateUser(user: { username: "sleeper" }) { activated } }`, {}, app.token);
      expect(deactivateUser.activated).toBe(false);
      expect((await server.gql(`{ me { id } }`, {}, token)).status).toBe(401);
      await expect(userToken(server, app.appId, 'sleeper')).rejects.toThrow(/UNAUTHENTICATED/);
      await server.ok(`mutation { activateUser(user: { username: "sleeper" }) { activated } }`, {}, app.token);
      expect((await server.gql(`{ me { username } }`, {}, token)).status).toBe(401);
      const again = await userToken(server, app.appId, 'sleeper');
      expect((await server.ok(`{ me { username } }`, {}, again)).me.username).toBe('sleeper');
      expect(errorCode(await server.gql(`mutation { deactivateUser(user: { username: "sleeper" }) { id } }`, {}, again))).toBe('FORBIDDEN');
      expect(errorCode(await server.gql(`mutation { activateUser(user: { username: "ghost" }) { id } }`, {}, app.token))).toBe('NOT_FOUND');
    });

    it('deletes one user: gone, tokens dead, username free again', async () => {
      await registerUser(server, app.token, 'Doomed');
      const token = await userToken(server, app.appId, 'Doomed');
      const { deleteUser } = await server.ok(`mutation { deleteUser(user: { username: "doomed" }) { username } }`, {}, app.token);
      expect(deleteUser.username).toBe('Doomed');
      expect((await server.gql(`{ me { id } }`, {}, token)).status).toBe(401);
      expect(errorCode(await server.gql(`{ user(ref: { username: "Doomed" }) { id } }`, {}, app.token))).toBe('NOT_FOUND');
      expect(errorCode(await server.gql(`mutation { deleteUser(user: { username: "doomed" }) { id } }`, {}, app.token))).toBe('NOT_FOUND');
      await registerUser(server, app.token, 'doomed');
    });

    it('deletes the oldest N users of the app only', async () => {
      const fresh = await provisionApp(server, 'oldest-app');
      for (const n of ['o1', 'o2', 'o3', 'o4']) await registerUser(server, fresh.token, n);
      const { deleteOldestUsers } = await server.ok(`mutation { deleteOldestUsers(count: 3) { username } }`, {}, fresh.token);
      expect(deleteOldestUsers).toEqual([{ username: 'o1' }, { username: 'o2' }, { username: 'o3' }]);
      const { users } = await server.ok(`{ users { nodes { username } } }`, {}, fresh.token);
      expect(users.nodes).toEqual([{ username: 'o4' }]);
      for (const count of [0, 501]) {
        expect(errorCode(await server.gql(`mutation($c: Int!) { deleteOldestUsers(count: $c) { id } }`, { c: count }, fresh.token))).toBe(
          'INVALID_INPUT',
        );
      }
      expect((await server.ok(`{ user(ref: { username: "Jane.Doe-1_x" }) { username } }`, {}, app.token)).user.username).toBe(
        'Jane.Doe-1_x',
      );
    });
  });
});

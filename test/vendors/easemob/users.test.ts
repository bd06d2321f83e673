import { startTestServer, type TestServer } from '../../helpers/harness';
import { easemobClient, ENTITY_KEYS, expectEasemobError, expectEnvelope, UUID, type EasemobClient } from './helpers';

// Replays the request examples of shared/seeds/003 (token and user management) against the adapter.
describe('easemob adapter: token and users', () => {
  let server: TestServer;
  let em: EasemobClient;
  beforeAll(async () => {
    server = await startTestServer({ EASEMOB_RATE_LIMIT: '0' });
    em = await easemobClient(server);
  });
  afterAll(() => server.close());

  describe('POST /token', () => {
    it('grants an app token for client credentials, with exactly the documented fields', async () => {
      const res = await em.call('POST', '/token', {
        token: null,
        contentType: 'application/json',
        body: { grant_type: 'client_credentials', client_id: em.clientId, client_secret: em.clientSecret },
      });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['access_token', 'application', 'expires_in']);
      expect(res.body.expires_in).toBe(5184000);
      expect(res.body.application).toMatch(UUID);
      expect(res.body.application).toBe(em.application);
    });

    it("answers 400 invalid_grant for a wrong secret, another app's credentials, or a wrong password", async () => {
      const wrong = await em.call('POST', '/token', {
        token: null,
        body: { grant_type: 'client_credentials', client_id: em.clientId, client_secret: 'nope' },
      });
      expect(wrong.status).toBe(400);
      expect(wrong.body).toMatchObject({ error: 'invalid_grant', error_description: 'client_id does not match' });
      const other = await easemobClient(server);
      const crossed = await em.call('POST', '/token', {
        token: null,
        body: { grant_type: 'client_credentials', client_id: other.clientId, client_secret: other.clientSecret },
      });
      expect(crossed.body.error).toBe('invalid_grant');
      await em.call('POST', '/users', { body: { username: 'granted', password: 'pw-123' } });
      const bad = await em.call('POST', '/token', {
        token: null,
        body: { grant_type: 'password', username: 'granted', password: 'wrong' },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toBe('invalid_grant');
      expectEasemobError(await em.call('POST', '/token', { token: null, body: { grant_type: 'magic' } }), 400, 'unsupported_grant_type');
      expectEasemobError(await em.call('POST', '/token', { token: null, raw: '{"grant_type":' }), 400, 'json_parse');
    });

    it('grants a user token for the password grant', async () => {
      await em.call('POST', '/users', { body: { username: 'pwuser', password: 'pw-123', nickname: 'P' } });
      const res = await em.call('POST', '/token', {
        token: null,
        body: { grant_type: 'password', username: 'PWUser', password: 'pw-123' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ expires_in: 5184000, user: { type: 'user', username: 'pwuser', activated: true, nickname: 'P' } });
      const me = await server.ok(`{ me { username } }`, {}, res.body.access_token);
      expect(me.me.username).toBe('pwuser');
    });

    it('answers 404 for an unknown org or app', async () => {
      const res = await fetch(`${server.url}/easemob/nosuchorg/nosuchapp/token`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(404);
      expect(((await res.json()) as any).error).toBe('service_resource_not_found');
    });
  });

  describe('POST /users', () => {
    it('registers one user (authorized, document example: an array of one)', async () => {
      const res = await em.call('POST', '/users', {
        contentType: 'application/json',
        body: [{ username: 'user1', password: '123', nickname: 'testuser' }],
      });
      expect(res.status).toBe(200);
      expectEnvelope(em, res.body, 'post', '/users');
      expect(res.body.entities).toHaveLength(1);
      const [e] = res.body.entities;
      expect(Object.keys(e).sort()).toEqual([...ENTITY_KEYS, 'nickname'].sort());
      expect(e).toMatchObject({ type: 'user', username: 'user1', activated: true, nickname: 'testuser' });
      expect(e.uuid).toMatch(UUID);
      expect(e.created).toBe(e.modified);
      expect(res.body.data).toEqual([]);
    });

    it('registers one user from an object body, keeping the case as typed', async () => {
      const res = await em.call('POST', '/users', { body: { username: 'MixedCase', password: 'pw' } });
      expect(res.status).toBe(200);
      expect(res.body.entities[0].username).toBe('MixedCase');
      expect(res.body.entities[0]).not.toHaveProperty('nickname');
      const dup = await em.call('POST', '/users', { body: { username: 'mixedcase', password: 'pw' } });
      expectEasemobError(dup, 400, 'duplicate_unique_property_exists');
      expect(dup.body.exception).toBe('org.apache.usergrid.persistence.exceptions.DuplicateUniquePropertyExistsException');
      expect(dup.body.error_description).toBe('Entity user requires that property named username be unique, value of mixedcase exists');
    });

    it("refuses bad input with the document's errors", async () => {
      expectEasemobError(await em.call('POST', '/users', { body: { username: 'nopass' } }), 400, 'required_property_not_found');
      expectEasemobError(await em.call('POST', '/users', { body: { password: 'x' } }), 400, 'required_property_not_found');
      expectEasemobError(await em.call('POST', '/users', { body: { username: 'has space', password: 'x' } }), 400, 'illegal_argument');
      expectEasemobError(await em.call('POST', '/users', { body: { username: 'x'.repeat(65), password: 'x' } }), 400, 'illegal_argument');
      expectEasemobError(await em.call('POST', '/users', { raw: 'not json' }), 400, 'json_parse');
      expectEasemobError(
        await em.call('POST', '/users', { body: Array.from({ length: 61 }, (_, i) => ({ username: `b${i}`, password: 'x' })) }),
        400,
        'illegal_argument',
      );
    });

    it('needs a token unless the app has open registration', async () => {
      const res = await em.call('POST', '/users', { token: null, body: { username: 'anon', password: 'x' } });
      expectEasemobError(res, 401, 'unauthorized');
      // no app uuid or path for a caller without a token
      expect(res.body.error_description).toBe('Subject does not have permission');
      expect(JSON.stringify(res.body)).not.toContain(em.application);
      expectEasemobError(
        await em.call('POST', '/users', { token: 'corrupt', body: { username: 'anon', password: 'x' } }),
        401,
        'auth_bad_access_token',
      );
      const open = await easemobClient(server, { openRegistration: true });
      // Document example, open mode: curl -d '{"username":"user1","password":"123","nickname":"testuser"}' with no token.
      const registered = await open.call('POST', '/users', {
        token: null,
        raw: '{"username":"user1","password":"123","nickname":"testuser"}',
      });
      expect(registered.status).toBe(200);
      expect(registered.body.entities[0]).toMatchObject({ username: 'user1', nickname: 'testuser', activated: true });
      expectEasemobError(
        await open.call('POST', '/users', { token: null, body: [{ username: 'u2', password: 'x' }] }),
        401,
        'unauthorized',
      );
      // Another app's token is no administrator here, and is answered exactly like a corrupt token.
      const foreign = await em.call('GET', '/users/user1', { token: open.admin });
      const corrupt = await em.call('GET', '/users/user1', { token: 'corrupt' });
      expectEasemobError(foreign, 401, 'auth_bad_access_token');
      expect(foreign.body.error_description).toBe(corrupt.body.error_description);
      // and a cross-app client_credentials grant stores no token before refusing
      const tokens = server.app.db.connection.collection('tokens');
      const before = await tokens.countDocuments();
      const cross = await em.call('POST', '/token', {
        token: null,
        contentType: 'application/json',
        body: { grant_type: 'client_credentials', client_id: open.clientId, client_secret: open.clientSecret },
      });
      expect(cross.status).toBe(400);
      expect(await tokens.countDocuments()).toBe(before);
    });

    it('registers in batch, listing the failures in data while the others are created', async () => {
      await em.call('POST', '/users', { body: { username: 'user3', password: '789' } });
      const res = await em.call('POST', '/users', {
        body: [
          { username: 'user2', password: '456', nickname: 'testuser2' },
          { username: 'user4', password: '456', nickname: 'testuser4' },
          { username: 'user3', password: '789', nickname: 'testuser3' },
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body.entities.map((e: any) => e.username)).toEqual(['user2', 'user4']);
      expect(res.body.data).toEqual([{ username: 'user3', registerUserFailReason: 'the user3 already exists' }]);
    });
  });

  describe('GET, PUT and DELETE /users', () => {
    it('gets one user; 404 when unknown; 401 without a token', async () => {
      const res = await em.call('GET', '/users/MIXEDCASE');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ action: 'get', path: '/users', uri: `${em.root}/users/MIXEDCASE`, count: 1 });
      expect(res.body.entities[0].username).toBe('MixedCase');
      expectEasemobError(await em.call('GET', '/users/ghost'), 404, 'service_resource_not_found');
      expectEasemobError(await em.call('GET', '/users/user1', { token: null }), 401, 'unauthorized');
    });

    it('lists users by limit and cursor; the last page has no cursor', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const res = await em.call('GET', `/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        expect(res.body.params).toEqual(cursor ? { limit: ['2'], cursor: [cursor] } : { limit: ['2'] });
        expect(res.body.count).toBe(res.body.entities.length);
        seen.push(...res.body.entities.map((e: any) => e.username));
        cursor = res.body.cursor;
        pages++;
      } while (cursor && pages < 50);
      const all = await em.call('GET', '/users?limit=100');
      expect(all.body.cursor).toBeUndefined();
      expect(seen).toEqual(all.body.entities.map((e: any) => e.username));
      expect(new Set(seen).size).toBe(seen.length);
      expectEasemobError(await em.call('GET', '/users?limit=0'), 400, 'illegal_argument');
      expectEasemobError(await em.call('GET', '/users?limit=2&cursor=bogus'), 400, 'illegal_argument');
    });

    it('reads an empty limit as no limit (10 per page) and refuses a non-number', async () => {
      const res = await em.call('GET', '/users?limit=');
      expect(res.status).toBe(200);
      expect(res.body.entities.length).toBeLessThanOrEqual(10);
      expectEasemobError(await em.call('GET', '/users?limit=ten'), 400, 'illegal_argument');
    });

    it('sets the push nickname, display style, do-not-disturb, group push mute and device token', async () => {
      await em.call('POST', '/users', { body: { username: 'pushy', password: 'x' } });
      const nick = await em.call('PUT', '/users/pushy', { contentType: 'application/json', body: { nickname: 'testuser' } });
      expect(nick.status).toBe(200);
      expectEnvelope(em, nick.body, 'put', '/users');
      expect(nick.body.entities[0].nickname).toBe('testuser');
      const style = await em.call('PUT', '/users/pushy', { body: { notification_display_style: '1' } });
      expect(style.body.entities[0].notification_display_style).toBe(1);
      const dnd = await em.call('PUT', '/users/pushy', {
        body: { notification_no_disturbing: true, notification_no_disturbing_start: '1', notification_no_disturbing_end: '3' },
      });
      expect(dnd.body.entities[0]).toMatchObject({
        notification_no_disturbing: true,
        notification_no_disturbing_start: 1,
        notification_no_disturbing_end: 3,
      });
      const off = await em.call('PUT', '/users/pushy', { body: { notification_no_disturbing: false } });
      expect(off.body.entities[0].notification_no_disturbing).toBe(false);
      expect(off.body.entities[0]).not.toHaveProperty('notification_no_disturbing_start');
      const { createGroup } = await server.ok(
        `mutation { createGroup(input: { name: "noisy", owner: { username: "pushy" } }) { groupId } }`,
        {},
        em.admin,
      );
      const key = `notification_ignore_${createGroup.groupId}`;
      const mute = await em.call('PUT', '/users/pushy', { body: { [key]: true } });
      expect(mute.body.entities[0][key]).toBe(true);
      // Muting a group the user is not in is refused (it would only grow the user record).
      expectEasemobError(await em.call('PUT', '/users/pushy', { body: { notification_ignore_99999999: true } }), 400, 'illegal_argument');
      await em.call('PUT', '/users/pushy', { body: { device_token: 'tok-abc', notifier_name: '2882303761517426801' } });
      const got = (await em.call('GET', '/users/pushy')).body.entities[0];
      expect(got).toMatchObject({
        nickname: 'testuser',
        notification_display_style: 1,
        notifier_name: '2882303761517426801',
        device_token: 'tok-abc',
      });
      // GraphQL sees the same settings.
      const { user } = await server.ok(
        `{ user(ref: { username: "pushy" }) { nickname notificationSettings { displayStyle } } }`,
        {},
        em.admin,
      );
      expect(user).toEqual({ nickname: 'testuser', notificationSettings: { displayStyle: 'DETAILS' } });
    });

    it('refuses bad settings and unknown users as the document does', async () => {
      const unknown = await em.call('PUT', '/users/ghost', { body: { nickname: 'x' } });
      expectEasemobError(unknown, 400, 'required_property_not_found');
      expect(unknown.body.error_description).toBe('Entity user requires a property named username');
      expectEasemobError(await em.call('PUT', '/users/pushy', { body: {} }), 400, 'illegal_argument');
      expectEasemobError(await em.call('PUT', '/users/pushy', { body: { notification_display_style: 7 } }), 400, 'illegal_argument');
      expectEasemobError(
        await em.call('PUT', '/users/pushy', {
          body: { notification_no_disturbing: true, notification_no_disturbing_start: 30, notification_no_disturbing_end: 3 },
        }),
        400,
        'illegal_argument',
      );
      expectEasemobError(await em.call('PUT', '/users/pushy', { body: { notification_ignore_x: 'maybe' } }), 400, 'illegal_argument');
    });

    it('changes a password without the old one', async () => {
      await em.call('POST', '/users', { body: { username: 'pwchange', password: 'old-pass' } });
      const res = await em.call('PUT', '/users/pwchange/password', { contentType: 'application/json', body: { newpassword: '123' } });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['action', 'duration', 'timestamp']);
      expect(res.body.action).toBe('set user password');
      const grant = (password: string) =>
        em.call('POST', '/token', { token: null, body: { grant_type: 'password', username: 'pwchange', password } });
      expect((await grant('123')).status).toBe(200);
      expect((await grant('old-pass')).status).toBe(400);
      const missing = await em.call('PUT', '/users/ghost/password', { body: { newpassword: '123' } });
      expectEasemobError(missing, 404, 'entity_not_found');
      expect(missing.body.error_description).toBe('User null not found');
      expectEasemobError(await em.call('PUT', '/users/pwchange/password', { body: {} }), 400, 'required_property_not_found');
    });

    it('deletes one user, then the oldest users by limit', async () => {
      const c = await easemobClient(server);
      for (const u of ['d1', 'd2', 'd3', 'd4']) await c.call('POST', '/users', { body: { username: u, password: 'x' } });
      const one = await c.call('DELETE', '/users/d1');
      expect(one.status).toBe(200);
      expectEnvelope(c, one.body, 'delete', '/users');
      expect(one.body.entities[0].username).toBe('d1');
      expectEasemobError(await c.call('GET', '/users/d1'), 404, 'service_resource_not_found');
      expectEasemobError(await c.call('DELETE', '/users/d1'), 404, 'service_resource_not_found');
      const batch = await c.call('DELETE', '/users?limit=2');
      expect(batch.status).toBe(200);
      expect(batch.body.params).toEqual({ limit: ['2'] });
      expect(batch.body.entities.map((e: any) => e.username)).toEqual(['d2', 'd3']);
      expect(typeof batch.body.cursor).toBe('string'); // d4 remains
      const last = await c.call('DELETE', '/users?limit=2');
      expect(last.body.entities.map((e: any) => e.username)).toEqual(['d4']);
      expect(last.body.cursor).toBeUndefined();
      expectEasemobError(await c.call('DELETE', '/users?limit=501'), 400, 'illegal_argument');
    });
  });

  it('answers unknown routes and oversized bodies in the Easemob shape', async () => {
    expectEasemobError(await em.call('GET', '/nothing/here'), 404, 'service_resource_not_found');
    const big = await em.call('POST', '/users', {
      raw: JSON.stringify({ username: 'big', password: 'x', nickname: 'x'.repeat(2_000_000) }),
    });
    expect(big.status).toBe(413);
    expect(big.body.error).toBe('illegal_argument');
  });
});

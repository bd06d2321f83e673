import { startTestServer, type TestServer } from '../../helpers/harness';
import { easemobClient, expectEasemobError, type EasemobClient } from './helpers';

// Issue 17: what the vendor's client SDKs call with a user token: that user's own resources only.
describe('Easemob calls with a user token', () => {
  let server: TestServer;
  let em: EasemobClient;
  let alice: string;

  beforeAll(async () => {
    server = await startTestServer();
    em = await easemobClient(server);
    const r = await em.call('POST', '/users', {
      contentType: 'application/json',
      body: ['alice', 'bob', 'carol', 'dave'].map((username) => ({ username, password: 'secret-pass' })),
    });
    expect(r.status).toBe(200);
    const grant = await em.call('POST', '/token', {
      token: null,
      contentType: 'application/json',
      body: { grant_type: 'password', username: 'alice', password: 'secret-pass' },
    });
    alice = grant.body.access_token;
  });
  afterAll(() => server.close());

  const as = (method: string, path: string, body?: unknown) =>
    em.call(method, path, { token: alice, contentType: 'application/json', ...(body === undefined ? {} : { body }) });

  it('manages its own contacts and blocklist, and reads its own profile and status', async () => {
    expect((await as('POST', '/users/alice/contacts/users/bob')).status).toBe(200);
    expect((await as('POST', '/users/Alice/contacts/users/carol')).status).toBe(200); // usernames ignore case
    expect((await as('GET', '/users/alice/contacts/users')).body.data).toEqual(['bob', 'carol']);
    expect((await as('DELETE', '/users/alice/contacts/users/carol')).status).toBe(200);
    expect((await as('POST', '/users/alice/blocks/users', { usernames: ['dave'] })).body.data).toEqual(['dave']);
    expect((await as('GET', '/users/alice/blocks/users')).body.data).toEqual(['dave']);
    expect((await as('DELETE', '/users/alice/blocks/users/dave')).status).toBe(200);
    expect((await as('GET', '/users/alice')).body.entities[0].username).toBe('alice');
    expect((await as('GET', '/users/alice/status')).body.data).toEqual({ alice: 'offline' });
    expect((await as('GET', '/users/alice/offline_msg_count')).body.data).toEqual({ alice: 0 });
  });

  it('sets its own nickname and binds its own device for push', async () => {
    const res = await as('PUT', '/users/alice', {
      nickname: 'Alice A.',
      device_id: 'phone-1',
      device_token: 'tok-1',
      notifier_name: 'cert',
    });
    expect(res.status).toBe(200);
    const { user } = await server.ok(`{ user(ref: { username: "alice" }) { nickname deviceTokens { token notifierName } } }`, {}, em.admin);
    expect(user).toEqual({ nickname: 'Alice A.', deviceTokens: [{ token: 'tok-1', notifierName: 'cert' }] });
    // The entity shows the binding, device id included.
    expect((await as('GET', '/users/alice')).body.entities[0]).toMatchObject({
      device_id: 'phone-1',
      device_token: 'tok-1',
      notifier_name: 'cert',
    });
  });

  it('pages its contacts newest first, with remarks on request', async () => {
    await as('POST', '/users/alice/contacts/users/dave');
    const first = await as('GET', '/user/alice/contacts?limit=1&needReturnRemark=true');
    expect(first.status).toBe(200);
    expect(first.body.data).toEqual({ contacts: [{ remark: null, username: 'dave' }] });
    expect(first.body.count).toBe(1);
    const second = await as('GET', `/user/alice/contacts?limit=1&cursor=${first.body.cursor}`);
    expect(second.body.data).toEqual({ contacts: [{ username: 'bob' }] });
    expect(second.body.cursor).toBeUndefined();
  });

  it('is refused on anyone else’s resources and on the administrator’s own calls', async () => {
    for (const [method, path] of [
      ['GET', '/users/bob/contacts/users'],
      ['POST', '/users/bob/contacts/users/alice'],
      ['PUT', '/users/bob'],
      ['GET', '/users/bob/blocks/users'],
      ['GET', '/user/bob/contacts'],
      ['GET', '/users'],
      ['DELETE', '/users/alice'],
      ['POST', '/users/alice/deactivate'],
      ['PUT', '/users/alice/password'],
    ] as const) {
      const res = await as(method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 401 });
      expectEasemobError(res, 401, 'unauthorized');
    }
  });

  it('treats a trailing slash as the same route', async () => {
    expect((await as('GET', '/users/alice/contacts/users/')).body.data).toEqual(['bob', 'dave']);
    expect((await em.call('GET', '/users/')).status).toBe(200);
  });
});

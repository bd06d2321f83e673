import { startTestServer, userToken, type TestServer } from '../../helpers/harness';
import { easemobClient, expectEasemobError, type EasemobClient } from './helpers';

// Issue 17: every Easemob message type, and the legacy POST /messages, as GraphQL reads them back.
describe('Easemob message types', () => {
  let server: TestServer;
  let em: EasemobClient;
  let bobToken: string;
  const json = (path: string, body: unknown) => em.call('POST', path, { contentType: 'application/json', body });
  const lastMessage = async () =>
    (
      await server.ok(
        `{ conversations(first: 1) { nodes { lastMessage { type text url fileName size payload sender { username } } } } }`,
        {},
        bobToken,
      )
    ).conversations.nodes[0].lastMessage;

  beforeAll(async () => {
    server = await startTestServer();
    em = await easemobClient(server);
    await em.call('POST', '/users', {
      contentType: 'application/json',
      body: ['alice', 'bob'].map((username) => ({ username, password: 'secret-pass' })),
    });
    bobToken = await userToken(server, em.app.appId, 'bob', 'secret-pass');
  });
  afterAll(() => server.close());

  it.each([
    ['txt', { msg: 'hi' }, { type: 'TEXT', text: 'hi', payload: '{"ext":{"k":"v"}}' }],
    [
      'img',
      { url: 'https://cdn.example.com/a.png', filename: 'a.png', size: { width: 4, height: 3 } },
      { type: 'IMAGE', url: 'https://cdn.example.com/a.png', fileName: 'a.png' },
    ],
    [
      'audio',
      { url: 'https://cdn.example.com/a.amr', filename: 'a.amr', length: 7 },
      { type: 'AUDIO', url: 'https://cdn.example.com/a.amr', payload: '{"length":7,"ext":{"k":"v"}}' },
    ],
    [
      'video',
      { url: 'https://cdn.example.com/v.mp4', filename: 'v.mp4', length: 12, file_length: 4096, thumb: 'https://cdn.example.com/t.jpg' },
      { type: 'VIDEO', size: 4096, payload: '{"length":12,"thumb":"https://cdn.example.com/t.jpg","ext":{"k":"v"}}' },
    ],
    ['file', { url: 'https://cdn.example.com/f.pdf', filename: 'f.pdf' }, { type: 'FILE', fileName: 'f.pdf' }],
    [
      'loc',
      { lat: '39.9', lng: '116.3', addr: 'Beijing' },
      { type: 'LOCATION', text: 'Beijing', payload: '{"lat":"39.9","lng":"116.3","addr":"Beijing","ext":{"k":"v"}}' },
    ],
    ['cmd', { action: 'refresh' }, { type: 'COMMAND', text: 'refresh' }],
    [
      'custom',
      { customEvent: 'gift', customExts: { n: '1' } },
      { type: 'CUSTOM', payload: '{"customEvent":"gift","customExts":{"n":"1"},"ext":{"k":"v"}}' },
    ],
  ])('sends %s to users and GraphQL reads it back', async (type, body, expected) => {
    const res = await json('/messages/users', { from: 'alice', to: ['bob'], type, body, ext: { k: 'v' } });
    expect(res.status).toBe(200);
    expect(res.body.data.bob).toMatch(/^\d+$/);
    expect(await lastMessage()).toMatchObject({ ...expected, sender: { username: 'alice' } });
  });

  it('refuses a location without coordinates and a command without an action', async () => {
    expectEasemobError(
      await json('/messages/users', { from: 'alice', to: ['bob'], type: 'loc', body: { addr: 'x' } }),
      400,
      'required_property_not_found',
    );
    expectEasemobError(
      await json('/messages/users', { from: 'alice', to: ['bob'], type: 'cmd', body: {} }),
      400,
      'required_property_not_found',
    );
    expectEasemobError(await json('/messages/users', { from: 'alice', to: ['bob'], type: 'voice', body: {} }), 400, 'illegal_argument');
  });

  it('accepts the legacy POST /messages for users and groups', async () => {
    const res = await json('/messages', {
      target_type: 'users',
      target: ['bob', 'ghost'],
      from: 'alice',
      msg: { type: 'txt', msg: 'legacy' },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.bob).toBe('success');
    expect(res.body.data.ghost).toMatch(/^fail: /);
    expect(await lastMessage()).toMatchObject({ type: 'TEXT', text: 'legacy' });
    const gid = (await json('/chatgroups', { groupname: 'g', owner: 'alice', members: ['bob'] })).body.data.groupid;
    const group = await json('/messages', {
      target_type: 'chatgroups',
      target: [gid],
      from: 'alice',
      msg: { type: 'cmd', action: 'sync' },
    });
    expect(group.body.data).toEqual({ [gid]: 'success' });
    expectEasemobError(
      await json('/messages', { target_type: 'planets', target: ['x'], from: 'alice', msg: { type: 'txt', msg: 'x' } }),
      400,
      'illegal_argument',
    );
  });
});

import WebSocket from 'ws';
import { sleep, startTestServer, testClock, type TestServer } from '../../helpers/harness';
import { easemobClient, expectEasemobError, expectEnvelope, type EasemobClient } from './helpers';
import { subscribe } from '../../helpers/live';
import { eventually } from '../../outbox/helpers';

// Replays the contacts, blacklist, online/offline and account examples of shared/seeds/003.
describe('easemob adapter: contacts, blacklist, status, accounts, messages', () => {
  let server: TestServer;
  let em: EasemobClient;
  const userToken = async (username: string) =>
    (await em.call('POST', '/token', { token: null, body: { grant_type: 'password', username, password: 'pw' } })).body
      .access_token as string;
  beforeAll(async () => {
    server = await startTestServer({ EASEMOB_RATE_LIMIT: '0' });
    em = await easemobClient(server);
    const res = await em.call('POST', '/users', {
      body: ['user1', 'user2', 'user3', 'user4', 'user5'].map((username) => ({ username, password: 'pw', nickname: `n-${username}` })),
    });
    expect(res.body.data).toEqual([]);
  });
  afterAll(() => server.close());

  it('adds, lists and removes contacts', async () => {
    const owner = (await em.call('GET', '/users/user1')).body.entities[0];
    const added = await em.call('POST', '/users/user1/contacts/users/user2', { contentType: 'application/json' });
    expect(added.status).toBe(200);
    expectEnvelope(em, added.body, 'post', `/users/${owner.uuid}/contacts`);
    expect(added.body.entities[0]).toMatchObject({ username: 'user2', type: 'user', nickname: 'n-user2' });
    await em.call('POST', '/users/user1/contacts/users/user3');
    const list = await em.call('GET', '/users/user1/contacts/users');
    expect(list.body).toMatchObject({ action: 'get', uri: `${em.root}/users/user1/contacts/users`, entities: [], count: 2 });
    expect([...list.body.data].sort()).toEqual(['user2', 'user3']);
    const removed = await em.call('DELETE', '/users/user1/contacts/users/user3');
    expect(removed.body.entities[0].username).toBe('user3');
    expect((await em.call('GET', '/users/user1/contacts/users')).body.data).toEqual(['user2']);
    expectEasemobError(await em.call('POST', '/users/user1/contacts/users/ghost'), 404, 'service_resource_not_found');
    expectEasemobError(await em.call('POST', '/users/ghost/contacts/users/user1'), 404, 'service_resource_not_found');
    expectEasemobError(await em.call('GET', '/users/ghost/contacts/users'), 404, 'service_resource_not_found');
    expectEasemobError(await em.call('POST', '/users/user1/contacts/users/user2', { token: 'bad' }), 401, 'auth_bad_access_token');
  });

  it('adds to, lists and removes from the blacklist; an unknown user is an illegal argument', async () => {
    const added = await em.call('POST', '/users/user1/blocks/users', { contentType: 'application/json', body: { usernames: ['user2'] } });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({
      action: 'post',
      application: em.application,
      entities: [],
      data: ['user2'],
      organization: em.orgName,
      applicationName: em.appName,
    });
    const list = await em.call('GET', '/users/user1/blocks/users');
    expect(list.body).toMatchObject({ data: ['user2'], count: 1, entities: [] });
    const unknown = await em.call('POST', '/users/user1/blocks/users', { body: { usernames: ['user20'] } });
    expectEasemobError(unknown, 400, 'illegal_argument');
    expect(unknown.body.error_description).toBe('attempt to adding new block[user20] for user[user1],but user[user20] not found.');
    expectEasemobError(await em.call('POST', '/users/user1/blocks/users', { body: { usernames: [] } }), 400, 'illegal_argument');
    expectEasemobError(
      await em.call('POST', '/users/ghost/blocks/users', { body: { usernames: ['user2'] } }),
      404,
      'service_resource_not_found',
    );
    const owner = (await em.call('GET', '/users/user1')).body.entities[0];
    const removed = await em.call('DELETE', '/users/user1/blocks/users/user2');
    expectEnvelope(em, removed.body, 'delete', `/users/${owner.uuid}/blocks`);
    expect(removed.body.entities[0].username).toBe('user2');
    expect((await em.call('GET', '/users/user1/blocks/users')).body.data).toEqual([]);
    expectEasemobError(await em.call('DELETE', '/users/user1/blocks/users/ghost'), 404, 'service_resource_not_found');
  });

  it('reports online status of one user and of many (unknown users offline, at most 100)', async () => {
    const one = await em.call('GET', '/users/user1/status');
    expect(one.body).toMatchObject({
      action: 'get',
      uri: `${em.root}/users/user1/status`,
      entities: [],
      data: { user1: 'offline' },
      count: 0,
    });
    const live = subscribe(server.wsUrl, await userToken('user1'), `subscription { messageAdded { text } }`);
    // Online once the socket is counted (no pause that a busy machine outlasts).
    await eventually(async () => ((await em.call('GET', '/users/user1/status')).body.data.user1 === 'online' ? true : undefined));
    const batch = await em.call('POST', '/users/batch/status', { body: { usernames: ['user1', 'user2', 'nobody'] } });
    expect(Object.keys(batch.body).sort()).toEqual(['action', 'data', 'duration', 'timestamp']);
    expect(batch.body).toMatchObject({
      action: 'get batch user status',
      data: [{ user1: 'online' }, { user2: 'offline' }, { nobody: 'offline' }],
    });
    expectEasemobError(
      await em.call('POST', '/users/batch/status', { body: { usernames: Array.from({ length: 101 }, (_, i) => `u${i}`) } }),
      400,
      'illegal_argument',
    );
    expectEasemobError(await em.call('GET', '/users/ghost/status'), 404, 'service_resource_not_found');

    // Forced disconnect closes the socket: the user is offline again.
    const dc = await em.call('GET', '/users/user1/disconnect');
    expect(dc.body).toMatchObject({ action: 'get', uri: `${em.root}/users/user1/disconnect`, data: { result: true }, count: 0 });
    for (let i = 0; i < 50 && live.errors.length === 0 && !live.isCompleted(); i++) await sleep(100);
    expect(live.errors.length + (live.isCompleted() ? 1 : 0)).toBeGreaterThan(0);
    expect((await em.call('GET', '/users/user1/status')).body.data).toEqual({ user1: 'offline' });
    expectEasemobError(await em.call('GET', '/users/ghost/disconnect'), 404, 'service_resource_not_found');
    await live.close();
  });

  it('sends to users, counts offline messages, reports delivery, and recalls', async () => {
    const sent = await em.call('POST', '/messages/users', {
      body: { from: 'user3', to: ['user4', 'user5', 'ghost'], type: 'txt', body: { msg: 'hello' }, ext: { k: 'v' } },
    });
    expect(sent.status).toBe(200);
    expectEnvelope(em, sent.body, 'post', '/messages/users');
    expect(sent.body.data.user4).toMatch(/^\d+$/);
    expect(sent.body.data.user5).toMatch(/^\d+$/);
    expect(sent.body.data.ghost).toMatch(/^fail: /);
    const count = await em.call('GET', '/users/user4/offline_msg_count');
    expect(count.body).toMatchObject({
      action: 'get',
      uri: `${em.root}/users/user4/offline_msg_count`,
      entities: [],
      data: { user4: 1 },
      count: 0,
    });
    const msgId = sent.body.data.user4 as string;
    const status = await em.call('GET', `/users/user4/offline_msg_status/${msgId}`);
    expect(status.body).toMatchObject({ data: { [msgId]: 'undelivered' }, count: 0 });
    expectEasemobError(await em.call('GET', '/users/user4/offline_msg_status/123'), 404, 'service_resource_not_found');
    // Nothing of it is pending for a user who is not its recipient (the sender here): delivered, as the vendor answers.
    expect((await em.call('GET', `/users/user1/offline_msg_status/${msgId}`)).body.data).toEqual({ [msgId]: 'delivered' });

    // Once user4 reads through GraphQL, both counts move.
    const token4 = await userToken('user4');
    const { conversations } = await server.ok(`{ conversations(first: 5) { nodes { id lastMessage { text payload } } } }`, {}, token4);
    expect(conversations.nodes[0].lastMessage).toEqual({ text: 'hello', payload: '{"ext":{"k":"v"}}' });
    await server.ok(`mutation($c: ID!) { markConversationRead(conversationId: $c) { readSeq } }`, { c: conversations.nodes[0].id }, token4);
    expect((await em.call('GET', '/users/user4/offline_msg_count')).body.data).toEqual({ user4: 0 });
    expect((await em.call('GET', `/users/user4/offline_msg_status/${msgId}`)).body.data).toEqual({ [msgId]: 'delivered' });

    const recall = await em.call('POST', '/messages/msg_recall', {
      body: { msg_id: msgId, to: 'user4', from: 'user3', chat_type: 'chat' },
    });
    expect(recall.body.data).toEqual({ recalled: 'yes', msg_id: msgId, chattype: 'chat', from: 'user3', to: 'user4' });
    const after = await server.ok(
      `query($c: ID!) { messages(conversationId: $c) { nodes { recalled } } }`,
      { c: conversations.nodes[0].id },
      token4,
    );
    expect(after.messages.nodes).toEqual([{ recalled: true }]);
    expectEasemobError(await em.call('POST', '/messages/msg_recall', { body: { msg_id: '999' } }), 404, 'service_resource_not_found');
    expectEasemobError(await em.call('POST', '/messages/msg_recall', { body: {} }), 400, 'required_property_not_found');
  });

  it('sends custom and file messages and group messages; refuses bad bodies before sending', async () => {
    const custom = await em.call('POST', '/messages/users', {
      body: { from: 'user3', to: ['user5'], type: 'custom', body: { customEvent: 'poll', customExts: { q: '?' } } },
    });
    expect(custom.body.data.user5).toMatch(/^\d+$/);
    const file = await em.call('POST', '/messages/users', {
      body: { from: 'user3', to: ['user5'], type: 'file', body: { url: 'https://example.com/f.pdf', filename: 'f.pdf', file_length: 10 } },
    });
    expect(file.body.data.user5).toMatch(/^\d+$/);
    const { createGroup } = await server.ok(
      `mutation { createGroup(input: { name: "g", owner: { username: "user3" }, members: [{ username: "user5" }] }) { groupId conversation { id } } }`,
      {},
      em.admin,
    );
    const group = await em.call('POST', '/messages/chatgroups', {
      body: {
        from: 'user3',
        to: [String(createGroup.groupId)],
        type: 'img',
        body: { url: 'https://example.com/a.png', filename: 'a.png', size: { width: 4, height: 3 } },
      },
    });
    expect(group.body.data[String(createGroup.groupId)]).toMatch(/^\d+$/);
    const notMember = await em.call('POST', '/messages/chatgroups', {
      body: { from: 'user1', to: [String(createGroup.groupId)], type: 'txt', body: { msg: 'x' } },
    });
    expect(notMember.body.data[String(createGroup.groupId)]).toMatch(/^fail: /);
    const { messages } = await server.ok(
      `query($c: ID!) { messages(conversationId: $c) { nodes { type url fileName sender { username } } } }`,
      { c: createGroup.conversation.id },
      em.admin,
    );
    expect(messages.nodes).toEqual([{ type: 'IMAGE', url: 'https://example.com/a.png', fileName: 'a.png', sender: { username: 'user3' } }]);
    for (const [body, error] of [
      [{ to: ['user5'], type: 'txt', body: { msg: 'x' } }, 'required_property_not_found'],
      [{ from: 'user3', type: 'txt', body: { msg: 'x' } }, 'required_property_not_found'],
      [{ from: 'user3', to: ['user5'], type: 'voice', body: {} }, 'illegal_argument'],
      [{ from: 'user3', to: ['user5'], type: 'loc', body: {} }, 'required_property_not_found'],
      [{ from: 'user3', to: ['user5'], type: 'txt' }, 'required_property_not_found'],
      [{ from: 'user3', to: ['user5'], type: 'txt', body: { msg: '' } }, 'illegal_argument'],
      [{ from: 'user3', to: [], type: 'txt', body: { msg: 'x' } }, 'illegal_argument'],
      [{ from: 'user3', to: ['user5'], type: 'img', body: { url: 'ftp://x' } }, 'illegal_argument'],
    ] as const) {
      expectEasemobError(await em.call('POST', '/messages/users', { body }), 400, error);
    }
    expectEasemobError(
      await em.call('POST', '/messages/chatgroups', { body: { from: 'user3', to: ['abc'], type: 'txt', body: { msg: 'x' } } }),
      400,
      'illegal_argument',
    );
  });

  it('deactivates (closing live connections, refusing tokens) and activates', async () => {
    const token = await userToken('user2');
    const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
    await new Promise((r) => socket.on('open', r));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    await new Promise((r) => socket.once('message', r));
    const closed = new Promise<number>((r) => socket.on('close', (code) => r(code)));
    const res = await em.call('POST', '/users/user2/deactivate', { contentType: 'application/json' });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['action', 'duration', 'entities', 'timestamp']);
    expect(res.body.action).toBe('Deactivate user');
    expect(res.body.entities[0]).toMatchObject({ username: 'user2', activated: false });
    expect(await closed).toBe(4403);
    expect((await server.gql(`{ me { username } }`, {}, token)).body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(
      (await em.call('POST', '/token', { token: null, body: { grant_type: 'password', username: 'user2', password: 'pw' } })).status,
    ).toBe(400);
    const activated = await em.call('POST', '/users/user2/activate', { contentType: 'application/json' });
    expect(Object.keys(activated.body).sort()).toEqual(['action', 'duration', 'timestamp']);
    expect(activated.body.action).toBe('activate user');
    expect(await userToken('user2')).toEqual(expect.any(String));
    const unknown = await em.call('POST', '/users/ghost/deactivate');
    expectEasemobError(unknown, 400, 'management');
    expect(unknown.body.error_description).toBe(`User with id null does not exist in app ${em.application}`);
    expectEasemobError(await em.call('POST', '/users/ghost/activate'), 404, 'service_resource_not_found');
  });
});

describe('easemob adapter: rate limit and root port', () => {
  let server: TestServer;
  const clock = testClock();
  beforeAll(async () => {
    server = await startTestServer({ EASEMOB_RATE_LIMIT: '5', EASEMOB_PORT: '0' }, undefined, { clock });
  });
  afterAll(() => server.close());

  it('answers 429 with Retry-After over the per-app rate', async () => {
    const em = await easemobClient(server);
    const results = await Promise.all(Array.from({ length: 12 }, () => em.call('GET', '/users?limit=1')));
    const limited = results.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expectEasemobError(limited[0]!, 429, 'reach_limit');
    expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(6);
    // Another app has its own budget.
    const other = await easemobClient(server);
    expect((await other.call('GET', '/users?limit=1')).status).toBe(200);
  });

  it('serves the same API at the root of EASEMOB_PORT', async () => {
    const addr = server.app.adapterServers.easemob!.server.address() as { port: number };
    clock.advance(1100); // refill the bucket
    const em = await easemobClient(server, { base: `http://127.0.0.1:${addr.port}` });
    const res = await em.call('POST', '/users', { body: { username: 'rooted', password: 'pw' } });
    expect(res.status).toBe(200);
    expect(res.body.uri).toBe(`http://127.0.0.1:${addr.port}/${em.orgName}/${em.appName}/users`);
    // The user is the same everywhere.
    const viaPrefix = await fetch(`${server.url}/easemob/${em.orgName}/${em.appName}/users/rooted`, {
      headers: { authorization: `Bearer ${em.admin}` },
    });
    expect(((await viaPrefix.json()) as any).entities[0].username).toBe('rooted');
  });
});

describe('easemob adapter: malformed usernames to block', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ EASEMOB_RATE_LIMIT: '0' });
  });
  afterAll(() => server.close());

  it('answers an empty or null name in the list as an illegal argument, not a missing property', async () => {
    const em = await easemobClient(server);
    await em.call('POST', '/users', { body: { username: 'owner1', password: 'pw' } });
    expectEasemobError(await em.call('POST', '/users/owner1/blocks/users', { body: { usernames: [''] } }), 400, 'illegal_argument');
    expectEasemobError(await em.call('POST', '/users/owner1/blocks/users', { body: { usernames: [null] } }), 400, 'illegal_argument');
    expectEasemobError(await em.call('POST', '/users/owner1/blocks/users', { body: {} }), 400, 'illegal_argument');
    expectEasemobError(await em.call('POST', '/users/batch/status', { body: { usernames: 'owner1' } }), 400, 'illegal_argument');
  });

  it('reads a request with no body as an empty object, naming the first missing property', async () => {
    const em = await easemobClient(server);
    const cases: [string, string, string][] = [
      ['POST', '/users', 'username'],
      ['PUT', '/users/owner1/password', 'newpassword'],
      ['POST', '/messages/msg_recall', 'msg_id'],
      ['POST', '/messages/users', 'from'],
    ];
    for (const [method, path, property] of cases) {
      const res = await em.call(method, path, { contentType: 'application/json' });
      expectEasemobError(res, 400, 'required_property_not_found');
      expect(res.body.error_description).toBe(`Entity user requires a property named ${property}`);
    }
    expectEasemobError(await em.call('PUT', '/users/owner1', { contentType: 'application/json' }), 400, 'illegal_argument');
    expectEasemobError(await em.call('POST', '/token', { token: null, contentType: 'application/json' }), 400, 'unsupported_grant_type');
  });
});

import { errorCode, startTestServer, userToken, type TestServer } from '../../helpers/harness';
import { listening, subscribe } from '../../helpers/live';
import { easemobClient, expectEasemobError, type EasemobClient } from './helpers';

// Issue 17: Easemob's chat-room API over the domain's rooms (GraphQL `enterRoom` and GoBelieve rooms are the same).
describe('Easemob chat rooms', () => {
  let server: TestServer;
  let em: EasemobClient;
  let rid: string;
  const json = (method: string, path: string, body?: unknown, token?: string) =>
    em.call(method, path, { contentType: 'application/json', ...(body === undefined ? {} : { body }), ...(token ? { token } : {}) });
  const tokenOf = (username: string) => userToken(server, em.app.appId, username, 'secret-pass');

  beforeAll(async () => {
    server = await startTestServer({ ROOM_HISTORY_MESSAGES: '3' });
    em = await easemobClient(server);
    const users = ['owner', 'r1', 'r2', 'r3', 'r4'].map((username) => ({ username, password: 'secret-pass' }));
    expect((await json('POST', '/users', users)).status).toBe(200);
  });
  afterAll(() => server.close());

  it('creates a room and details it as the real API does', async () => {
    const created = await json('POST', '/chatrooms', { name: 'lobby', description: 'hello', maxusers: 4, owner: 'owner', members: ['r1'] });
    expect(created.status).toBe(200);
    rid = created.body.data.id;
    expect(created.body.data).toEqual({ id: expect.stringMatching(/^\d+$/) });
    const details = await json('GET', `/chatrooms/${rid}`);
    expect(details.body.count).toBe(1);
    expect(details.body.data[0]).toEqual({
      id: rid,
      name: 'lobby',
      description: 'hello',
      membersonly: false,
      allowinvites: false,
      maxusers: 4,
      owner: 'owner',
      created: expect.any(Number),
      custom: '',
      mute: false,
      affiliations_count: 2,
      affiliations: [{ owner: 'owner' }, { member: 'r1' }],
      public: true,
    });
    expectEasemobError(await json('POST', '/chatrooms', { description: 'no name', owner: 'owner' }), 400, 'required_property_not_found');
    expectEasemobError(await json('POST', '/chatrooms', { name: 'x', owner: 'ghost' }), 404, 'service_resource_not_found');
    expectEasemobError(await json('GET', '/chatrooms/999999'), 400, 'illegal_argument');
    const r1 = await tokenOf('r1');
    expectEasemobError(await json('POST', '/chatrooms', { name: 'mine', owner: 'r1' }, r1), 401, 'unauthorized');
  });

  it('lists rooms newest first with a cursor, and a user’s rooms', async () => {
    const other = (await json('POST', '/chatrooms', { name: 'other', owner: 'r2', members: ['r1'] })).body.data.id;
    const first = await json('GET', '/chatrooms?limit=1');
    expect(first.body.data).toEqual([{ affiliations_count: 2, disabled: false, id: other, name: 'other', owner: 'r2' }]);
    const second = await json('GET', `/chatrooms?limit=1&cursor=${first.body.cursor}`);
    expect(second.body.data.map((r: any) => r.id)).toEqual([rid]);
    expect(second.body.cursor).toBeUndefined();
    expect((await json('GET', `/chatrooms/${rid},${other}`)).body.count).toBe(2);
    const r1 = await tokenOf('r1');
    expect((await json('GET', '/users/r1/joined_chatrooms', undefined, r1)).body.data).toEqual([
      { id: rid, name: 'lobby' },
      { id: other, name: 'other' },
    ]);
    expectEasemobError(await json('GET', '/users/r2/joined_chatrooms', undefined, r1), 401, 'unauthorized');
    expect((await json('DELETE', `/chatrooms/${other}`)).body.data).toEqual({ success: true, id: other });
    expectEasemobError(await json('DELETE', `/chatrooms/${other}`), 404, 'service_resource_not_found');
    expect((await json('GET', '/users/r1/joined_chatrooms')).body.data).toEqual([{ id: rid, name: 'lobby' }]);
  });

  it('adds and removes members one or many at a time, within maxusers, and pages them', async () => {
    expect((await json('POST', `/chatrooms/${rid}/users/r2`)).body.data).toEqual({
      result: true,
      action: 'add_member',
      id: rid,
      user: 'r2',
    });
    expectEasemobError(await json('POST', `/chatrooms/${rid}/users/r2`), 400, 'illegal_argument');
    const many = await json('POST', `/chatrooms/${rid}/users`, { usernames: ['r2', 'r3'] });
    expect(many.body.data).toEqual({ newmembers: ['r3'], action: 'add_member', id: rid });
    expectEasemobError(await json('POST', `/chatrooms/${rid}/users/r4`), 400, 'illegal_argument'); // four is the most
    expect((await json('GET', `/chatrooms/${rid}/users?pagesize=2&pagenum=2`)).body.data).toEqual([{ member: 'r2' }, { member: 'r3' }]);
    expect((await json('DELETE', `/chatrooms/${rid}/users/r3`)).body.data).toEqual({
      result: true,
      action: 'remove_member',
      user: 'r3',
      id: rid,
    });
    const batch = await json('DELETE', `/chatrooms/${rid}/users/r2,r4,ghost`);
    expect(batch.body.data).toEqual([
      { result: true, action: 'remove_member', user: 'r2', id: rid },
      { result: false, action: 'remove_member', reason: `user: r4 doesn't exist in group: ${rid}`, user: 'r4', id: rid },
      { result: false, action: 'remove_member', reason: "user: ghost doesn't exist.", user: 'ghost', id: rid },
    ]);
    expectEasemobError(await json('POST', `/chatrooms/${rid}/users`, { usernames: [] }), 400, 'illegal_argument');
  });

  it('names admins, modifies the settings and the announcement', async () => {
    expect((await json('POST', `/chatrooms/${rid}/admin`, { newadmin: 'r1' })).body.data).toEqual({ result: 'success', newadmin: 'r1' });
    expect((await json('GET', `/chatrooms/${rid}/admin`)).body.data).toEqual(['r1']);
    expectEasemobError(await json('POST', `/chatrooms/${rid}/admin`, { newadmin: 'r4' }), 400, 'illegal_argument'); // not a member
    expect((await json('DELETE', `/chatrooms/${rid}/admin/r1`)).body.data).toEqual({ result: 'success', oldadmin: 'r1' });
    expect((await json('GET', `/chatrooms/${rid}/admin`)).body.data).toEqual([]);
    const modified = await json('PUT', `/chatrooms/${rid}`, { name: 'lobby2', description: 'd2', maxusers: 50 });
    expect(modified.body.data).toEqual({ groupname: true, description: true, maxusers: true });
    expectEasemobError(await json('PUT', `/chatrooms/${rid}`, { membersonly: true }), 400, 'illegal_argument');
    expectEasemobError(await json('PUT', `/chatrooms/${rid}`, { maxusers: 1 }), 400, 'illegal_argument');
    expect((await json('GET', `/chatrooms/${rid}`)).body.data[0]).toMatchObject({ name: 'lobby2', description: 'd2', maxusers: 50 });
    expect((await json('POST', `/chatrooms/${rid}/announcement`, { announcement: 'welcome' })).body.data).toEqual({
      id: rid,
      result: true,
    });
    expect((await json('GET', `/chatrooms/${rid}/announcement`)).body.data).toEqual({ announcement: 'welcome' });
  });

  it('delivers a chat-room message to a GraphQL subscriber of the room, keeping only the recent window', async () => {
    const r1 = await tokenOf('r1');
    // The Easemob room is the GraphQL room: entering it again is a no-op for a member.
    const { enterRoom } = await server.ok(`mutation($r: Int!) { enterRoom(roomId: $r) { id kind } }`, { r: Number(rid) }, r1);
    expect(enterRoom.kind).toBe('ROOM');
    const live = await listening(server, () =>
      subscribe(server.wsUrl, r1, `subscription($c: ID) { messageAdded(conversationId: $c) { text seq sender { username } } }`, {
        c: enterRoom.id,
      }),
    );
    const sent = await json('POST', '/messages/chatrooms', {
      from: 'owner',
      to: [rid, '424242'],
      type: 'txt',
      body: { msg: 'hello room' },
    });
    expect(sent.body.data).toEqual({ [rid]: expect.stringMatching(/^\d+$/), 424242: 'fail: chatroom 424242 does not exist' });
    const legacy = await json('POST', '/messages', {
      target_type: 'chatrooms',
      target: [rid],
      from: 'owner',
      msg: { type: 'txt', msg: 'legacy' },
    });
    expect(legacy.body.data).toEqual({ [rid]: 'success' });
    expect((await live.waitFor(2)).map((e) => e.data.messageAdded)).toEqual([
      { text: 'hello room', seq: 1, sender: { username: 'owner' } },
      { text: 'legacy', seq: 2, sender: { username: 'owner' } },
    ]);
    await live.close();
    for (let i = 3; i <= 8; i++)
      await json('POST', '/messages/chatrooms', { from: 'owner', to: [rid], type: 'txt', body: { msg: `m${i}` } });
    // ROOM_HISTORY_MESSAGES=3: the newest three stay, and the next seq follows on.
    const history = async () =>
      (await server.ok(`query($c: ID!) { messages(conversationId: $c, last: 20) { nodes { text seq } } }`, { c: enterRoom.id }, r1))
        .messages.nodes;
    expect(await history()).toEqual([
      { text: 'm6', seq: 6 },
      { text: 'm7', seq: 7 },
      { text: 'm8', seq: 8 },
    ]);
    await json('POST', '/messages/chatrooms', { from: 'owner', to: [rid], type: 'txt', body: { msg: 'm9' } });
    expect((await history()).map((m: any) => m.seq)).toEqual([7, 8, 9]);
  });

  it('keeps a full room closed to GraphQL enterRoom, and lets its members back in', async () => {
    const small = (await json('POST', '/chatrooms', { name: 'small', maxusers: 2, owner: 'owner', members: ['r3'] })).body.data.id;
    const enter = async (username: string) =>
      server.gql(`mutation($r: Int!) { enterRoom(roomId: $r) { id } }`, { r: Number(small) }, await tokenOf(username));
    expect(errorCode(await enter('r4'))).toBe('INVALID_INPUT');
    expect((await enter('r3')).body.errors).toBeUndefined();
    expect((await json('DELETE', `/chatrooms/${small}/users/r3`)).status).toBe(200);
    expect((await enter('r4')).body.errors).toBeUndefined();
    // A bare room number (GoBelieve's, with no profile) has no limit.
    expect((await server.gql(`mutation { enterRoom(roomId: 987654) { id } }`, {}, await tokenOf('r4'))).body.errors).toBeUndefined();
  });
});

import { provisionApp, registerUser, startTestServer, userToken, type TestServer } from '../../helpers/harness';
import { startReceiver } from '../../helpers/receiver';
import { OUTBOX_TEST_ENV, documentedVerify } from '../../outbox/helpers';
import { expectCode, wildfireClient } from './helpers';

describe('Wildfire robot: user info, profile and callbacks', () => {
  let server: TestServer;
  let app: Awaited<ReturnType<typeof provisionApp>>;
  let call: ReturnType<typeof wildfireClient>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const secret = 'robot-secret-0123456789';

  beforeAll(async () => {
    server = await startTestServer(OUTBOX_TEST_ENV);
    app = await provisionApp(server);
    receiver = await startReceiver();
    await registerUser(server, app.token, 'usera');
    await server.ok(
      `mutation { updateUserProfile(user: { username: "usera" }, input: { nickname: "Ann", profile: { displayName: "Ann A.", mobile: "+8613800000000", email: "a@example.com" } }) { id } }`,
      {},
      app.token,
    );
    await registerUser(server, app.token, 'plain');
    await server.ok(`mutation($i: CreateRobotInput!) { createRobot(input: $i) { rid } }`, { i: { username: 'robota', secret } }, app.token);
    call = wildfireClient(`${server.url}/wildfire`, 'robota', secret);
  });
  afterAll(async () => {
    await server.close();
    await receiver.close();
  });

  it('finds a user by exactly one of userId, name and mobile, omitting absent fields', async () => {
    const full = { userId: 'usera', name: 'usera', displayName: 'Ann A.', mobile: '+8613800000000', email: 'a@example.com' };
    for (const q of [{ userId: 'usera' }, { name: 'USERA' }, { mobile: '+8613800000000' }]) {
      const res = await call('/robot/user_info', q);
      expectCode(res, 0);
      expect(res.body.result).toEqual(full);
    }
    expect((await call('/robot/get_info', { userId: 'plain' })).body.result).toEqual({
      userId: 'plain',
      name: 'plain',
      displayName: 'plain',
    });
    expectCode(await call('/robot/user_info', {}), 251);
    expectCode(await call('/robot/user_info', { userId: 'usera', mobile: '+8613800000000' }), 251);
    expectCode(await call('/robot/user_info', { userId: 'ghost' }), 253);
    expectCode(await call('/robot/user_info', { mobile: '+10000000000' }), 253);
    expectCode(await call('/robot/user_info', { userId: 42 }), 251);
    expectCode(await call('/robot/user_info', { userId: 'x'.repeat(65) }), 251);
  });

  it('sets, reads and deletes its callback; messages to it then reach the callback, signed with its secret', async () => {
    expectCode(await call('/robot/set_callback', { url: '' }), 251);
    const set = await call('/robot/set_callback', { url: `${receiver.url}/cb` });
    expectCode(set, 0);
    expect(set.body).toEqual({ code: 0, msg: 'success' });
    expect((await call('/robot/get_callback')).body.result).toEqual({ url: `${receiver.url}/cb` });
    expect((await call('/robot/profile')).body.result).toMatchObject({ userId: 'robota', secret, callback: `${receiver.url}/cb` });

    const alice = await userToken(server, app.appId, 'usera');
    const { sendMessage: m } = await server.ok(
      `mutation { sendMessage(input: { to: { username: "robota" }, type: TEXT, text: "ping" }) { uid } }`,
      {},
      alice,
    );
    const [req] = await receiver.waitFor(1);
    expect(documentedVerify()(secret, req!.body, String(req!.headers['x-imfacade-signature']))).toBe(true);
    expect(JSON.parse(req!.body)).toMatchObject({ sender: 'usera', conv: { type: 0, target: 'robota' }, messageUid: m.uid });

    expectCode(await call('/robot/delete_callback'), 0);
    expect((await call('/robot/get_callback')).body.result).toEqual({});
  });

  it('updates its own nickname, portrait and e-mail; fields this server does not keep are refused', async () => {
    expectCode(await call('/robot/update_profile', { type: 0, value: 'Helpful bot' }), 0);
    // As the Python SDK sends it (the Java SDK's field names).
    expectCode(await call('/robot/update_profile', { intValue: 1, strValue: 'https://cdn.example/bot.png' }), 0);
    expectCode(await call('/robot/update_profile', { type: 4, value: 'not-an-email' }), 251);
    expectCode(await call('/robot/update_profile', { type: 6, value: 'ACME' }), 251);
    const { user } = await server.ok(`query { user(ref: { username: "robota" }) { nickname profile { portrait } } }`, {}, app.token);
    expect(user).toEqual({ nickname: 'Helpful bot', profile: { portrait: 'https://cdn.example/bot.png' } });
  });
});

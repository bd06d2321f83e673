import { provisionApp, registerUser, startTestServer, userToken, type TestServer } from '../helpers/harness';
import { runToEnd } from '../helpers/process';
import { startReceiver } from '../helpers/receiver';
import { CreateRobotDocument } from '../generated/documents';
import { OUTBOX_TEST_ENV, documentedVerify } from './helpers';

type App = Awaited<ReturnType<typeof provisionApp>>;
const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { id uid } }`;

describe('robots', () => {
  let server: TestServer;
  let app: App;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const verify = documentedVerify();

  beforeAll(async () => {
    server = await startTestServer(OUTBOX_TEST_ENV);
    app = await provisionApp(server);
    receiver = await startReceiver();
    await registerUser(server, app.token, 'alice');
  });
  afterAll(async () => {
    await server.close();
    await receiver.close();
  });

  it('hears a message sent to it through GraphQL at its callback, signed with its secret, in the Wildfire robot shape', async () => {
    const { createRobot: robot } = await server.ok(
      CreateRobotDocument,
      { input: { username: 'helper', callbackUrl: `${receiver.url}/robot` } },
      app.token,
    );
    expect(robot).toMatchObject({ rid: 'helper', callbackUrl: `${receiver.url}/robot`, user: { username: 'helper' } });
    const alice = await userToken(server, app.appId, 'alice');
    const sent = await server.ok(SEND, { i: { to: { username: 'helper' }, type: 'TEXT', text: 'hi robot' } }, alice);

    const [req] = await receiver.waitFor(1);
    expect(verify(robot.secret!, req!.body, String(req!.headers['x-imfacade-signature']))).toBe(true);
    expect(JSON.parse(req!.body)).toEqual({
      sender: 'alice',
      conv: { type: 0, target: 'helper', line: 0 },
      payload: { type: 1, searchableContent: 'hi robot' },
      messageUid: sent.sendMessage.uid,
      timestamp: expect.any(Number),
    });

    // its own messages are not echoed back to it
    const before = receiver.received.length;
    const robotToken = await server
      .ok(`mutation($a: ID!) { createUserToken(input: { appId: $a, username: "helper", password: "x" }) { accessToken } }`, {
        a: app.appId,
      })
      .catch(() => null);
    expect(robotToken).toBeNull(); // the robot's password is random: it acts through its signed API, not a login
    await server.ok(SEND, { i: { from: { username: 'helper' }, to: { username: 'alice' }, type: 'TEXT', text: 'hello human' } }, app.token);
    await server.ok(SEND, { i: { to: { username: 'helper' }, type: 'TEXT', text: 'second' } }, alice);
    const got = await receiver.waitFor(before + 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received.slice(before).map((r) => JSON.parse(r.body).payload.searchableContent)).toEqual(['second']);
    expect(got.length).toBe(before + 1);
  });

  it('hears group messages of groups it belongs to, with the group id as target', async () => {
    const before = receiver.received.length;
    const { createGroup } = await server.ok(
      `mutation { createGroup(input: { name: "ops", owner: { username: "alice" }, members: [{ username: "helper" }] }) { groupId conversation { id } } }`,
      {},
      app.token,
    );
    await server.ok(
      SEND,
      { i: { conversationId: createGroup.conversation.id, type: 'TEXT', text: 'all hands' } },
      await userToken(server, app.appId, 'alice'),
    );
    const got = await receiver.waitFor(before + 1);
    expect(JSON.parse(got[before]!.body)).toMatchObject({
      sender: 'alice',
      conv: { type: 1, target: String(createGroup.groupId) },
      payload: { searchableContent: 'all hands' },
    });
  });

  it('stores its secret sealed, never in clear text, and rotates it', async () => {
    const { createRobot } = await server.ok(
      CreateRobotDocument,
      { input: { username: 'sealed', secret: 'a-very-secret-value-123' } },
      app.token,
    );
    const raw = await server.app.db.connection.collection('robots').findOne({ rid: 'sealed' });
    expect(JSON.stringify(raw)).not.toContain('a-very-secret-value-123');
    expect(raw!.sealedSecret).toMatch(/^v1\./);
    const rotated = await server.ok(
      `mutation($r: String!) { rotateRobotSecret(robot: $r) { secret rid } }`,
      { r: createRobot.rid },
      app.token,
    );
    expect(rotated.rotateRobotSecret.secret).toMatch(/^whsec_/);
    const dup = await server.gql(CreateRobotDocument, { input: { username: 'SEALED' } }, app.token);
    expect(dup.body.errors![0]!.extensions!.code).toBe('CONFLICT');
  });

  it('is created by the CLI, which prints {rid, secret, userId}, on the database the server uses', async () => {
    const env = {
      MONGODB_URI: process.env.TEST_MONGODB_URI!,
      MONGODB_DB_NAME: server.app.config.database.name,
      SECRETS_KEY: OUTBOX_TEST_ENV.SECRETS_KEY,
      OUTBOX_ALLOW_PRIVATE: 'true',
    };
    const args = [
      'robot',
      'create',
      '--app',
      app.appId,
      '--user',
      'clibot',
      '--secret',
      'cli-secret-0123456789',
      '--callback',
      `${receiver.url}/cli`,
    ];
    const created = await runToEnd('dist/src/cli/main.js', args, env);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const printed = JSON.parse(created.stdout);
    expect(printed).toMatchObject({ rid: 'clibot', secret: 'cli-secret-0123456789', userId: expect.stringMatching(/^[0-9a-f]{24}$/) });

    const { robots } = await server.ok(`{ robots { rid callbackUrl user { id } } }`, {}, app.token);
    expect(robots).toContainEqual({ rid: 'clibot', callbackUrl: `${receiver.url}/cli`, user: { id: printed.userId } });
    // the server reads the secret the CLI sealed: a message to the robot is signed with it
    const before = receiver.received.length;
    await server.ok(
      SEND,
      { i: { to: { id: printed.userId }, type: 'TEXT', text: 'to the cli bot' } },
      await userToken(server, app.appId, 'alice'),
    );
    const got = await receiver.waitFor(before + 1);
    expect(verify('cli-secret-0123456789', got[before]!.body, String(got[before]!.headers['x-imfacade-signature']))).toBe(true);

    const refused = await runToEnd(
      'dist/src/cli/main.js',
      ['robot', 'create', '--app', app.appId, '--user', 'x', '--callback', 'http://10.0.0.1/'],
      {
        ...env,
        OUTBOX_ALLOW_PRIVATE: 'false',
      },
    );
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stderr)).toMatchObject({ error: 'INVALID_INPUT', field: 'callbackUrl' });
  });
});

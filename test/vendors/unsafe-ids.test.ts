import { registerUser, startTestServer, type TestServer } from '../helpers/harness';
import { easemobClient, expectEasemobError, type EasemobClient } from './easemob/helpers';
import { expectCode, wildfireClient } from './wildfire/helpers';

// Ids of up to 16 digits are numbers to the domain; above 2^53 one would silently round to another.
// No message id is that large, so such an id names nothing: refused in each dialect.
const UNSAFE = '9007199254740993';

describe('message ids above 2^53', () => {
  let server: TestServer;
  let em: EasemobClient;

  beforeAll(async () => {
    server = await startTestServer();
    em = await easemobClient(server);
    await registerUser(server, em.app.token, 'someone');
    await server.ok(
      `mutation($i: CreateRobotInput!) { createRobot(input: $i) { rid } }`,
      { i: { username: 'bot', secret: 'robot-secret-0123456789' } },
      em.app.token,
    );
  });
  afterAll(() => server.close());

  it('are refused by Easemob recall and offline status, and by the Wildfire robot', async () => {
    const recall = await em.call('POST', '/messages/msg_recall', { body: { msg_id: UNSAFE }, contentType: 'application/json' });
    expectEasemobError(recall, 400, 'illegal_argument');
    expectEasemobError(await em.call('GET', `/users/someone/offline_msg_status/${UNSAFE}`), 404, 'service_resource_not_found');
    const robot = wildfireClient(`${server.url}/wildfire`, 'bot', 'robot-secret-0123456789');
    expectCode(await robot('/robot/message/recall', { messageUid: UNSAFE }), 251);
    expectCode(await robot('/robot/message/recall', { raw: undefined }, { raw: `{"messageUid": ${UNSAFE}}` }), 251);
  });
});

import { provisionApp, startTestServer, type TestServer } from '../../helpers/harness';
import { OUTBOX_TEST_ENV } from '../../outbox/helpers';
import { expectCode, signedHeaders, wildfireClient } from './helpers';

const PROFILE = '/robot/profile';

describe('Wildfire signed requests', () => {
  let server: TestServer;
  let call: ReturnType<typeof wildfireClient>;
  let base: string;
  const secret = 'robot-secret-0123456789';

  beforeAll(async () => {
    server = await startTestServer(OUTBOX_TEST_ENV);
    const app = await provisionApp(server);
    await server.ok(`mutation($i: CreateRobotInput!) { createRobot(input: $i) { rid } }`, { i: { username: 'robota', secret } }, app.token);
    base = `${server.url}/wildfire`;
    call = wildfireClient(base, 'robota', secret);
  });
  afterAll(() => server.close());

  it('answers a correctly signed call, and refuses missing headers (239), a bad sign or unknown robot (244) and a stale timestamp (243), all with HTTP 200', async () => {
    const ok = await call(PROFILE);
    expectCode(ok, 0);
    expect(ok.body).toMatchObject({ msg: 'success', result: { userId: 'robota', name: 'robota', secret } });

    for (const missing of ['nonce', 'timestamp', 'sign', 'rid'])
      expectCode(await call(PROFILE, undefined, { headers: { [missing]: undefined } }), 239);
    expectCode(await call(PROFILE, undefined, { headers: { sign: 'b98f9b0717f59febccf1440067a7f50d9b31bdde' } }), 244);
    expectCode(await wildfireClient(base, 'robota', 'wrong-secret-0123456')(PROFILE), 244);
    expectCode(await wildfireClient(base, 'nobody', secret)(PROFILE), 244);
    expectCode(await call(PROFILE, undefined, { timestamp: Date.now() - 2 * 3600_000 - 60_000 }), 243);
    expectCode(await call(PROFILE, undefined, { timestamp: Date.now() + 2 * 3600_000 + 60_000 }), 243);
    expectCode(await call(PROFILE, undefined, { headers: { timestamp: 'yesterday' } }), 243);
    // within the window either way is fine
    expectCode(await call(PROFILE, undefined, { timestamp: Date.now() - 3600_000 }), 0);
  });

  it('refuses a (rid, nonce) seen before, also after the server restarts on the same database', async () => {
    const nonce = `n${Date.now()}`;
    expectCode(await call(PROFILE, undefined, { nonce }), 0);
    const replay = await call(PROFILE, undefined, { nonce });
    expectCode(replay, 243);
    expect(replay.body.msg).toMatch(/nonce/);
    // a fresh signature with a fresh timestamp but the same nonce is still a replay
    expectCode(await call(PROFILE, undefined, { nonce, timestamp: Date.now() + 5 }), 243);

    const dbName = server.app.db.connection.name;
    const survivor = `s${Date.now()}`;
    expectCode(await call(PROFILE, undefined, { nonce: survivor }), 0);
    await server.app.close();
    server = await startTestServer({ ...OUTBOX_TEST_ENV, MONGODB_DB_NAME: dbName });
    const again = wildfireClient(`${server.url}/wildfire`, 'robota', secret);
    expectCode(await again(PROFILE, undefined, { nonce: survivor }), 243);
    expectCode(await again(PROFILE), 0);
  });

  it('reads bodies as JSON whatever Content-Type or Content-Encoding says, and answers malformed JSON with 2', async () => {
    const c = wildfireClient(`${server.url}/wildfire`, 'robota', secret);
    const h = signedHeaders('robota', secret);
    const res = await fetch(`${server.url}/wildfire/robot/user_info`, {
      method: 'POST',
      headers: { ...h, 'content-type': 'text/plain', 'content-encoding': 'identity' },
      body: '{"userId":"robota"}',
    });
    const body = (await res.json()) as any;
    expect({ status: res.status, code: body.code, userId: body.result?.userId }).toEqual({ status: 200, code: 0, userId: 'robota' });
    const gz = await c('/robot/user_info', undefined, {
      raw: '{"userId":"robota"}',
      headers: { 'content-encoding': 'gzip', 'content-type': undefined },
    });
    expectCode(gz, 0);
    expectCode(await c('/robot/user_info', undefined, { raw: '{"userId":' }), 2);
    expectCode(await c('/robot/user_info', undefined, { raw: '[1,2]' }), 251);
    expectCode(await c('/robot/no_such_api', {}), 253);
  });

  it('serves the same API at the root of WILDFIRE_PORT', async () => {
    const own = await startTestServer({ ...OUTBOX_TEST_ENV, WILDFIRE_PORT: '0', MONGODB_DB_NAME: server.app.db.connection.name });
    try {
      const { port } = own.app.adapterServers.wildfire!.server.address() as { port: number };
      expectCode(await wildfireClient(`http://127.0.0.1:${port}`, 'robota', secret)(PROFILE), 0);
    } finally {
      await own.app.close();
    }
  });
});

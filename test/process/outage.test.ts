import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { freePort } from '../../src/db/probe';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/db/embedded';
import { provisionApp, registerUser, sleep, startTestServer, userToken, wsHandshake, type TestServer } from '../helpers/harness';
import { easemobClient, expectEasemobError } from '../vendors/easemob/helpers';

// A database process of this test's own: stopped mid-test, then started again on the same address and data.
describe('a database outage', () => {
  const engine = (process.env.TEST_DB_ENGINE as 'memory-server' | 'ferretdb' | undefined) ?? 'auto';
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'imfacade-outage-'));
  let port: number;
  let db: EmbeddedDatabase;
  let server: TestServer;
  const start = () => startEmbeddedDatabase({ engine, dataDir, port, log: pino({ level: 'silent' }) });

  beforeAll(async () => {
    port = await freePort();
    db = await start();
    server = await startTestServer({ DB_TIMEOUT_MS: '1500', DB_RETRY_AFTER_SECONDS: '7', EASEMOB_RATE_LIMIT: '0' }, db.uri);
  });
  afterAll(async () => {
    await server.app.close();
    await db.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is answered 503 with Retry-After in GraphQL and Easemob, and everything works again once it is back', async () => {
    const app = await provisionApp(server);
    await registerUser(server, app.token, 'patient');
    const user = await userToken(server, app.appId, 'patient');
    const em = await easemobClient(server);
    // Tokens are verified (and cached) before the outage.
    expect((await server.gql(`{ me { username } }`, {}, user)).status).toBe(200);
    expect((await em.call('GET', '/users?limit=1')).status).toBe(200);

    await db.stop();

    // The token and its user come from caches (events keep them right): what needs the database fails.
    expect((await server.gql(`{ me { username } }`, {}, user)).status).toBe(200);
    const viaUserToken = await server.gql(`{ conversations(first: 1) { nodes { id } } }`, {}, user);
    expect(viaUserToken.status).toBe(503);
    expect(viaUserToken.headers.get('retry-after')).toBe('7');
    expect(viaUserToken.body.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');

    const viaAppToken = await server.gql(`{ users(first: 1) { nodes { username } } }`, {}, app.token);
    expect(viaAppToken.status).toBe(503);
    expect(viaAppToken.headers.get('retry-after')).toBe('7');
    expect(viaAppToken.body.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');
    expect(JSON.stringify(viaAppToken.body)).not.toMatch(/Mongo|ECONNREFUSED|\n\s+at /);

    // A token this instance has not verified yet cannot be checked: "try again later", not "forbidden".
    const ws = await wsHandshake(server.wsUrl, { authorization: 'Bearer a-token-never-seen-here' });
    expect({ ack: ws.ack, code: ws.code }).toEqual({ ack: false, code: 1013 });

    const rest = await em.call('GET', '/users?limit=1');
    expectEasemobError(rest, 503, 'service_unavailable');
    expect(rest.headers.get('retry-after')).toBe('7');
    const login = await em.call('POST', '/token', {
      token: null,
      body: { grant_type: 'client_credentials', client_id: em.clientId, client_secret: em.clientSecret },
    });
    expectEasemobError(login, 503, 'service_unavailable');

    db = await start();
    let back = 0;
    for (let i = 0; i < 60 && back === 0; i++) {
      if ((await server.gql(`{ me { username } }`, {}, user)).status === 200) back = 1;
      else await sleep(500);
    }
    expect(back).toBe(1);
    expect((await server.gql(`{ users(first: 1) { nodes { username } } }`, {}, app.token)).status).toBe(200);
    expect((await em.call('GET', '/users?limit=1')).status).toBe(200);
  });
});

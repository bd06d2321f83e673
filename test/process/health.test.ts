import pino from 'pino';
import { startEmbeddedDatabase } from '../../src/db/embedded';
import { startTestServer, type TestServer } from '../helpers/harness';

describe('health probes', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('answers /livez and /readyz while the database is up, with a request id', async () => {
    const live = await fetch(`${server.url}/livez`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${server.url}/readyz`, { headers: { 'x-request-id': 'probe-123' } });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: 'up' });
    expect(ready.headers.get('x-request-id')).toBe('probe-123');
  });
});

describe('/readyz when the database goes away', () => {
  it('turns 503 while /livez stays 200', async () => {
    // A database of its own, so stopping it does not disturb the other test files.
    const engine = (process.env.TEST_DB_ENGINE as 'memory-server' | 'ferretdb' | undefined) ?? 'auto';
    const db = await startEmbeddedDatabase({ engine, log: pino({ level: 'silent' }) });
    const server = await startTestServer({}, db.uri);
    try {
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      await db.stop();
      const res = await fetch(`${server.url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable', database: 'down' });
      expect((await fetch(`${server.url}/livez`)).status).toBe(200);
    } finally {
      await server.app.close();
      await db.stop();
    }
  });
});

import http from 'node:http';
import WebSocket from 'ws';
import { freePort } from '../../src/db/probe';
import { testDatabaseName } from '../helpers/harness';
import { runNode } from '../helpers/process';

// The built server (dist/) as a real process, stopped with SIGTERM under keep-alive load.
const MAIN = 'dist/src/main.js';
const DRAIN_MS = 2_500;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  reused: boolean;
}

function post(agent: http.Agent, port: number, path: string, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (b: Buffer) => (text += b.toString()));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text, reused: req.reusedSocket }));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => reject(Object.assign(e, { reused: req.reusedSocket })));
    req.end(body);
  });
}

describe('SIGTERM under keep-alive load', () => {
  it('drains: every request gets an answer (200, or 503 + Retry-After + Connection: close in its dialect), none a reset', async () => {
    const port = await freePort();
    const env = {
      MONGODB_URI: process.env.TEST_MONGODB_URI!,
      MONGODB_DB_NAME: testDatabaseName(),
      PORT: String(port),
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      IMBEE_PUBLIC_URL: 'https://chat.example.com',
      ANONYMOUS_RATE_LIMIT: '0',
      SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
      DB_RETRY_AFTER_SECONDS: '1',
    };
    const server = runNode(MAIN, [], env);
    await server.waitFor(/imfacade listening/);
    const printed = server.stdout();
    const demo = JSON.parse(printed.slice(printed.indexOf('{'), printed.lastIndexOf('}') + 1));
    const easemobPath = `/easemob/${demo.easemob.orgName}/${demo.easemob.appName}/token`;

    // 16 keep-alive clients loop; a client told to go away waits its Retry-After, as HTTP asks.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const answers: Answer[] = [];
    const failures: (NodeJS.ErrnoException & { reused?: boolean })[] = [];
    let stop = false;
    const client = async (i: number) => {
      while (!stop) {
        try {
          const a =
            i % 4 === 0
              ? await post(agent, port, easemobPath, '{"grant_type":"client_credentials","client_id":"x","client_secret":"y"}')
              : await post(agent, port, '/graphql', '{"query":"{ __typename }"}');
          answers.push(a);
          if (a.status === 503) await new Promise((r) => setTimeout(r, Number(a.headers['retry-after']) * 1_000));
        } catch (e) {
          const err = e as NodeJS.ErrnoException;
          failures.push(err);
          if (err.code === 'ECONNREFUSED') return;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    const clients = Array.from({ length: 16 }, (_, i) => client(i));
    // Under load before the signal: wait for answers rather than a fixed pause (a busy machine is slower).
    for (const t0 = Date.now(); answers.length <= 20 && Date.now() - t0 < 15_000;) await new Promise((r) => setTimeout(r, 50));
    const beforeStop = answers.length;
    server.child.kill('SIGTERM');

    // During the window: readiness turns 503, a WebSocket upgrade is refused with a readable 503.
    await new Promise((r) => setTimeout(r, 300));
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(503);
    const upgrade = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(upgrade).toBe(503);

    setTimeout(() => (stop = true), DRAIN_MS + 3_000).unref();
    expect(await server.exited).toBe(0);
    await Promise.all(clients);
    agent.destroy();

    expect(beforeStop).toBeGreaterThan(20);
    expect(failures.filter((e) => e.code !== 'ECONNREFUSED')).toEqual([]);
    const refused = answers.filter((a) => a.status === 503);
    expect(refused.length).toBeGreaterThanOrEqual(16);
    // on kept-alive connections too, and fresh connections during the window
    expect(refused.some((a) => a.reused)).toBe(true);
    expect(refused.some((a) => !a.reused)).toBe(true);
    for (const a of refused) {
      expect(a.headers).toMatchObject({ connection: 'close', 'retry-after': '1' });
      const body = JSON.parse(a.body);
      if ('errors' in body) expect(body.errors[0].extensions.code).toBe('UNAVAILABLE');
      else expect(body).toMatchObject({ error: 'service_unavailable' });
    }
    expect(refused.some((a) => a.body.includes('service_unavailable'))).toBe(true);
    expect(answers.every((a) => a.status === 200 || a.status === 503 || a.status === 400 || a.status === 401)).toBe(true);
    expect(server.stderr()).toMatch(/shutdown complete/);
  }, 60_000);
});

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pino from 'pino';
import { freePort } from '../../src/db/probe';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/db/embedded';
import { provisionApp, registerUser, startTestServer, userToken, type TestServer } from '../helpers/harness';
import { eventually } from '../outbox/helpers';
import { easemobClient } from '../vendors/easemob/helpers';
import { gobelieveClient } from '../vendors/gobelieve/helpers';
import { signedHeaders } from '../vendors/wildfire/helpers';

const DB_TIMEOUT_MS = 1_500;

/**
 * Runs `call` and says how long this process (the server runs in it) could not run at all meanwhile:
 * the event loop's delays. The deadlines are the server's promise for its own time; what a busy
 * machine takes from the whole process is not counted against them.
 */
async function stolenTime<T>(call: () => Promise<T>): Promise<{ result: T; stolenMs: number }> {
  const resolutionNs = 10e6;
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  try {
    const result = await call();
    // Each sample is the time between two ticks of a 10 ms timer: what passed beyond 10 ms was stolen.
    // No sample (a call shorter than one tick) stole nothing.
    const excess = lag.count ? Math.max(0, lag.max - resolutionNs, (lag.mean - resolutionNs) * lag.count) : 0;
    return { result, stolenMs: excess / 1e6 };
  } finally {
    lag.disable();
  }
}

/**
 * A database that accepts connections but answers nothing (its process stopped with SIGSTOP, as a
 * wedged FerretDB behaves): every surface answers 503 + Retry-After within DB_TIMEOUT_MS + 1 s,
 * /readyz says so within 5 s while /livez stays up, and everything works again within 5 s of the
 * database coming back, with retried sends stored once.
 */
describe('a stalled database', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'imfacade-stall-'));
  let db: EmbeddedDatabase;
  let server: TestServer;

  beforeAll(async () => {
    const engine = (process.env.TEST_DB_ENGINE as 'memory-server' | 'ferretdb' | undefined) ?? 'auto';
    db = await startEmbeddedDatabase({ engine, dataDir, port: await freePort(), log: pino({ level: 'silent' }) });
    server = await startTestServer({ DB_TIMEOUT_MS: String(DB_TIMEOUT_MS), DB_RETRY_AFTER_SECONDS: '3', EASEMOB_RATE_LIMIT: '0' }, db.uri);
  }, 60_000);
  afterAll(async () => {
    if (db.pid) process.kill(db.pid, 'SIGCONT');
    await server.app.close();
    await db.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is answered 503 on every surface within the deadline, is reported by /readyz, and recovers', async () => {
    expect(db.pid).toEqual(expect.any(Number));
    const app = await provisionApp(server);
    await registerUser(server, app.token, 'ann');
    await registerUser(server, app.token, 'bob');
    const ann = await userToken(server, app.appId, 'ann');
    const em = await easemobClient(server);
    const gb = await gobelieveClient(server);
    const { createRobot } = await server.ok(`mutation { createRobot(input: { username: "bot" }) { rid secret } }`, {}, app.token);
    const send = (id: string) =>
      server.gql(
        `mutation($id: String) { sendMessage(input: { to: { username: "bob" }, type: TEXT, text: "kept", clientMessageId: $id }) { id } }`,
        { id },
        ann,
      );
    expect((await send('before')).status).toBe(200);

    process.kill(db.pid!, 'SIGSTOP');
    const timed = async (label: string, call: () => Promise<{ status: number; retryAfter: string | null }>) => {
      const t = Date.now();
      const took = await stolenTime(call);
      return { label, ...took.result, inTime: Date.now() - t - took.stolenMs <= DB_TIMEOUT_MS + 1_000 };
    };
    const fetchOf = async (res: Response) => ({ status: res.status, retryAfter: res.headers.get('retry-after') });
    const answers = [
      await timed('graphql', async () => {
        const r = await server.gql(`{ users(first: 5) { nodes { username } } }`, {}, app.token);
        return { status: r.status, retryAfter: r.headers.get('retry-after') };
      }),
      await timed('graphql send', async () => {
        const r = await send('during');
        return { status: r.status, retryAfter: r.headers.get('retry-after') };
      }),
      await timed('easemob', async () => {
        const r = await em.call('GET', '/users?limit=3');
        return { status: r.status, retryAfter: r.headers.get('retry-after') };
      }),
      await timed('gobelieve', async () =>
        fetchOf(
          await fetch(`${server.url}/gobelieve/groups`, {
            method: 'POST',
            headers: { authorization: gb.basic, 'content-type': 'application/json' },
            body: JSON.stringify({ master: 1, name: 'g', members: [2] }),
          }),
        ),
      ),
      await timed('mcg', async () =>
        fetchOf(
          await fetch(`${server.url}/mcg/mcg/v1/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ grant_type: 'client_credentials', client_id: crypto.randomUUID(), client_secret: 'x' }),
          }),
        ),
      ),
      await timed('imbee', async () =>
        fetchOf(
          await fetch(`${server.url}/imbee/web/session`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ token: 'a'.repeat(32) }),
          }),
        ),
      ),
    ];
    for (const a of answers) expect(a).toEqual({ label: a.label, status: 503, retryAfter: '3', inTime: true });
    // Wildfire answers every error with HTTP 200 and its own code (4, server error), as its SDKs expect.
    const wf = await timed('wildfire', async () => {
      const res = await fetch(`${server.url}/wildfire/robot/user_info`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signedHeaders(createRobot.rid, createRobot.secret) },
        body: JSON.stringify({ userId: 'nobody' }),
      });
      return { status: ((await res.json()) as { code: number }).code, retryAfter: res.headers.get('retry-after') };
    });
    expect(wf).toMatchObject({ status: 4, inTime: true });

    const t = Date.now();
    const { result: ready, stolenMs } = await stolenTime(() => fetch(`${server.url}/readyz`));
    expect({ status: ready.status, inTime: Date.now() - t - stolenMs < 5_000 }).toEqual({ status: 503, inTime: true });
    expect((await fetch(`${server.url}/livez`)).status).toBe(200);

    process.kill(db.pid!, 'SIGCONT');
    // Answering again within 5 s of the database coming back.
    const recovered = await eventually(
      async () => ((await server.gql(`{ users(first: 1) { nodes { username } } }`, {}, app.token)).status === 200 ? true : undefined),
      5_000,
      'queries answered again',
    );
    expect(recovered).toBe(true);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    // The send answered 503 is retried with its clientMessageId: stored once, nothing lost.
    expect((await send('during')).status).toBe(200);
    expect((await send('during')).status).toBe(200);
    const { conversations } = await server.ok(`{ conversations { edges { node { id } } } }`, {}, ann);
    const { messages } = await server.ok(
      `query($c: ID!) { messages(conversationId: $c, last: 10) { edges { node { text } } } }`,
      { c: conversations.edges[0].node.id },
      ann,
    );
    expect(messages.edges.length).toBe(2);
  }, 60_000);
});

import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import net from 'node:net';
import { print, type DocumentNode } from 'graphql';
import { freePort } from '../../src/db/probe';
import { OPERATOR_TOKEN, testDatabaseName, type TestServer } from './harness';
import { runNode, type Spawned } from './process';

/** The machine's Redis (CI runs one too); TEST_REDIS_URL names another. */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Lets the tests read an instance's /metrics (the bus listeners say when a subscription listens). */
const METRICS_TOKEN = 'test-metrics-token-of-the-cluster-tests';

/** The environment of one cluster: one database, one Redis, a key prefix of its own. */
export function clusterEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    MONGODB_URI: process.env.TEST_MONGODB_URI!,
    MONGODB_DB_NAME: testDatabaseName(),
    REDIS_URL,
    REDIS_KEY_PREFIX: `test-${crypto.randomBytes(4).toString('hex')}:`,
    OPERATOR_TOKEN,
    METRICS_TOKEN,
    DEMO_APP: 'false',
    GRAPHQL_RATE_LIMIT: '0',
    ANONYMOUS_RATE_LIMIT: '0',
    EASEMOB_RATE_LIMIT: '0',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

export interface Instance {
  server: TestServer;
  proc: Spawned;
  /** Handlers on the instance's event bus (its `imfacade_bus_listeners`): `listening()` waits on it. */
  busListeners(): Promise<number>;
  /** SIGTERM and wait (no-op when it already exited). */
  stop(): Promise<void>;
}

/** A real server process (dist/src/main.js), reachable like the in-process test server (gql/ok over HTTP). */
export async function startInstance(env: Record<string, string>): Promise<Instance> {
  const port = await freePort();
  const proc = runNode('dist/src/main.js', [], { ...env, PORT: String(port) });
  await proc.waitFor(/imfacade listening/);
  const url = `http://127.0.0.1:${port}`;
  const gql = async (query: string | DocumentNode, variables?: unknown, token?: string) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: typeof query === 'string' ? query : print(query), variables }),
    });
    return { status: res.status, body: (await res.json()) as any, headers: res.headers };
  };
  const server = {
    url,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    gql,
    async ok(query: string | DocumentNode, variables?: unknown, token?: string) {
      const res = await gql(query, variables, token);
      if (res.body.errors?.length) throw new Error(`GraphQL call failed: ${JSON.stringify(res.body.errors)}`);
      return res.body.data;
    },
    close: async () => undefined,
  } as unknown as TestServer;
  return {
    server,
    proc,
    async busListeners() {
      const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      const line = /^imfacade_bus_listeners (\d+)$/m.exec(await res.text());
      if (!line) throw new Error('no imfacade_bus_listeners in /metrics');
      return Number(line[1]);
    },
    async stop() {
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
      await proc.exited;
    },
  };
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/** A Redis of the test's own (the machine's `redis-server`), so that it can be stopped and started again. */
export async function startPrivateRedis(port?: number): Promise<{ url: string; port: number; stop(): Promise<void> }> {
  const p = port ?? (await freePort());
  const child: ChildProcess = spawn('redis-server', ['--port', String(p), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const exited = new Promise((r) => child.on('exit', r));
  for (let i = 0; i < 100 && !(await accepts(p)); i++) await new Promise((r) => setTimeout(r, 50));
  return {
    url: `redis://127.0.0.1:${p}`,
    port: p,
    async stop() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Sends `count` messages through `send`, `concurrency` at a time; resolves to the seqs stored. */
export async function sendMany(count: number, concurrency: number, send: (i: number) => Promise<number>) {
  const seqs: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < count; i = next++) seqs.push(await send(i));
    }),
  );
  return seqs;
}

/** Asserts that a subscriber received exactly seqs 1..n, in order, each once. */
export function expectComplete(received: any[], n: number) {
  const seqs = received.map((m) => m.data.messageAdded.seq as number);
  expect(seqs.length).toBe(n);
  expect(seqs).toEqual(Array.from({ length: n }, (_, i) => i + 1));
}

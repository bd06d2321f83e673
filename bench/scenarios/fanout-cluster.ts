import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import type { Logger } from 'pino';
import { createApplication } from '../../src/app/index';
import { loadConfig } from '../../src/app/config';
import { runHelper, startHelper } from '../lib/proc';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Member = { username: string; token: string };

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

/**
 * Fan-out (a) on two instances: the same 50 groups of 20, with the senders on instance A (in this
 * process) and half of each group's subscribers on instance B (a real server process), both on the
 * bench database and one Redis (BENCH_REDIS_URL, default the machine's). Every message crosses
 * Redis to reach B's half. Side by side in the same run and at the same rate: all 1,000
 * subscribers on A (one instance, through Redis too), then half on each. The rate is one the
 * database sustains (`rate`), so that the figures show the hop between instances, not a backlog.
 */
export async function fanoutClusterScenario(o: {
  uri: string;
  dbName: string;
  log: Logger;
  groups: { conversationId: string; members: Member[] }[];
  adminToken: string;
  seconds: number;
  quick: boolean;
  subscription: string;
  rate: number;
}) {
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const env = {
    NODE_ENV: 'production',
    IMBEE_PUBLIC_URL: 'https://chat.example.com',
    HOST: '127.0.0.1',
    MONGODB_URI: o.uri,
    MONGODB_DB_NAME: o.dbName,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `bench-${Date.now()}:`,
    EASEMOB_RATE_LIMIT: '0',
    GRAPHQL_RATE_LIMIT: '0',
    ANONYMOUS_RATE_LIMIT: '0',
    DEMO_APP: 'false',
    OUTBOX_WORKER: 'false',
  };
  const a = await createApplication(loadConfig({ ...env, PORT: '0', LOG_LEVEL: 'warn' }), o.log);
  if (a.services.events.status() !== 'up') {
    await a.close();
    return { skipped: `no Redis at ${redisUrl}` };
  }
  const portB = await freePort();
  const b = spawn(process.execPath, [path.join(__dirname, '..', '..', 'src', 'main.js')], {
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(portB), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      // Its log (stderr) says when it listens; warnings and errors are passed on.
      for (const stream of [b.stdout!, b.stderr!])
        readline.createInterface({ input: stream }).on('line', (l) => {
          if (l.includes('imfacade listening')) resolve();
          else if (/"level":(40|50|60)/.test(l)) process.stderr.write(`[instance B] ${l}\n`);
        });
      b.once('exit', (code) => reject(new Error(`instance B exited with ${code}`)));
    });
    const baseA = await a.listen();
    const wsA = `${baseA.replace('http', 'ws')}/graphql`;
    const wsB = `ws://127.0.0.1:${portB}/graphql`;
    const T = o.seconds;
    const start = (url: string, clients: ReturnType<typeof half>) =>
      startHelper('drivers/ws-subscribers.js', {
        url,
        mode: 'graphql',
        clients,
        query: o.subscription,
        maxMessages: 2 * (o.rate * T + 100),
      });
    const half = (side: 0 | 1) =>
      o.groups.flatMap((g) =>
        g.members.filter((_, i) => i % 2 === side).map((u) => ({ token: u.token, variables: { c: g.conversationId } })),
      );
    type Report = { received: number; duplicates: number; latency: unknown; perMessage: number[] };
    const report = async (h: ReturnType<typeof start>) => {
      h.send('report');
      const r = (await h.next()) as Report;
      h.send('stop');
      return r;
    };
    /** One run: subscribers on each URL, a paced sender on A; deliveries per side, lost and doubled. */
    const run = async (sides: { url: string; clients: ReturnType<typeof half> }[], firstN: number) => {
      const subs = sides.map((side) => start(side.url, side.clients));
      await Promise.all(subs.map((h) => h.ready));
      await sleep(3_000); // the instances set up the subscriptions (membership checks)
      const sender = await runHelper('drivers/sender.js', {
        url: `${baseA}/graphql`,
        token: o.adminToken,
        targets: o.groups.map((g) => ({ conversationId: g.conversationId, from: g.members[0]!.username })),
        rate: o.rate,
        seconds: T,
        firstN,
        maxInflight: 32,
        grace: o.quick ? 3 : 15,
      });
      await sleep(o.quick ? 3_000 : 5_000);
      const got = await Promise.all(subs.map(report));
      const lost = sender.acked.reduce(
        (s: number, n: number) => s + Math.max(0, 20 - got.reduce((sum, g) => sum + (g.perMessage[n] ?? 0), 0)),
        0,
      );
      return {
        sent: sender.sent,
        failed: sender.failed,
        deliveries: got.reduce((sum, g) => sum + g.received, 0),
        lost,
        duplicated: got.reduce((sum, g) => sum + g.duplicates, 0),
        latencyMs: got.map((g) => g.latency),
      };
    };
    const all = [...half(0), ...half(1)];
    const oneInstance = await run([{ url: wsA, clients: all }], 0);
    const twoInstances = await run(
      [
        { url: wsA, clients: half(0) },
        { url: wsB, clients: half(1) },
      ],
      o.rate * T + 100,
    );
    return {
      subscribers: all.length,
      rate: o.rate,
      seconds: T,
      oneInstance: { ...oneInstance, latencyMs: oneInstance.latencyMs[0] },
      twoInstances: {
        ...twoInstances,
        latencyMsOnA: twoInstances.latencyMs[0],
        latencyMsOnB: twoInstances.latencyMs[1],
        latencyMs: undefined,
      },
      target: 'p99 on B within 2x of one instance, 0 lost, 0 duplicated',
    };
  } finally {
    b.kill('SIGTERM');
    await new Promise((r) => (b.exitCode !== null ? r(null) : b.once('exit', r)));
    await a.close();
  }
}

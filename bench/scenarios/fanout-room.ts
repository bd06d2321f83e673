import type { RequestContext } from '../../src/domain/context';
import { cpuPerThousand, lostOf, settle, subscriptionsReady, type FanoutTarget } from '../lib/fanout';
import { runHelper, startHelper, type Helper } from '../lib/proc';
import { ratio } from '../lib/stats';
import { logLogChart } from '../lib/svg';

type Step = {
  rate: number;
  achievedRate?: number;
  deliveriesPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  lost: number;
  duplicated: number;
  cpuMsPer1000: number;
  sendFailed?: number;
};

/**
 * Fan-out (b): one room of 1,000 subscribers at rising rates, three ways in the same run: ours
 * (GraphQL sends through the app, online-only notifications, then stored messages), stock
 * graphql-ws (bench/baselines/graphql-ws-stock.ts: the same subscription, no database) and plain
 * `ws` broadcasting a frame of the same size. Each step records deliveries/s, latency, loss and
 * the serving process's CPU time per 1,000 deliveries. A ladder stops once p99 passes 1 s.
 */
export async function fanoutRoomScenario(
  o: FanoutTarget & {
    appCtx: () => RequestContext;
    users: { id: string; username: string; token: string }[];
  },
) {
  const { app, users, seconds: T, quick } = o;
  const notifyRates = o.tiny ? [10] : quick ? [10, 50, 100] : [10, 25, 35, 50, 75, 100, 150, 200];
  const storedRates = o.tiny ? [5] : quick ? [5, 10] : [5, 10, 20, 40, 80];
  const maxMessages =
    3 * notifyRates.reduce((s, r) => s + r * T, 0) +
    storedRates.reduce((s, r) => s + r * T, 0) +
    2 * (3 * notifyRates[0]! + storedRates[0]!) +
    10;
  const room = await app.services.groups.create(o.appCtx(), {
    name: 'room',
    owner: { id: users[0]!.id },
    members: users.slice(1).map((u) => ({ id: u.id })),
    super: true,
  });
  const n = users.length;
  let firstN = 0;
  const saturated = (s: Step) => s.latencyMs.p99 > 1000;
  /** CPU microseconds per millisecond a process spends doing nothing asked of it, over 2 s. */
  async function idleCpuOf(cpu: () => Promise<NodeJS.CpuUsage>) {
    const ms = o.tiny ? 250 : 2000;
    const a = await cpu();
    await new Promise((r) => setTimeout(r, ms));
    const b = await cpu();
    return (b.user - a.user + b.system - a.system) / ms;
  }
  /**
   * Steps at rising rates until one saturates: higher rates would only queue more. A short step at
   * the first rate warms the serving process up first (JIT, connections) and is not kept.
   */
  async function ladder(rates: number[], run: (rate: number, seconds?: number) => Promise<Step>) {
    if (!o.tiny) await run(rates[0]!, 2);
    const steps: Step[] = [];
    for (const rate of rates) {
      if (steps.length && saturated(steps.at(-1)!)) break;
      steps.push(await run(rate));
    }
    return steps;
  }

  /**
   * One step: `drive` sends at `rate` for `seconds`; `cpu` reads the serving process's CPU time,
   * of which what it spends idle (timers, database heartbeats: `idleCpu`, ms per second, measured
   * before the ladder) is not the fan-out's.
   */
  async function step(
    subs: Helper,
    rate: number,
    seconds: number,
    drive: (seconds: number) => Promise<any>,
    cpu: () => Promise<NodeJS.CpuUsage>,
    idleCpu: number,
  ): Promise<Step> {
    const before = await cpu();
    const started = Date.now();
    const sender = await drive(seconds);
    await settle(subs, quick);
    const after = await cpu();
    const idleUs = idleCpu * (Date.now() - started);
    subs.send('report');
    const got = await subs.next();
    const acked: number[] = sender.acked ?? Array.from({ length: rate * seconds }, (_, k) => firstN + k);
    firstN += rate * seconds;
    return {
      rate,
      achievedRate: sender.achievedRate,
      // Over the time the deliveries really took: a server behind schedule delivers later, not faster.
      deliveriesPerSecond: Math.round(got.received / Math.max(seconds, (got.lastAt - sender.startedAt) / 1000)),
      latencyMs: got.latency,
      lost: lostOf(acked, got.perMessage, n),
      duplicated: got.duplicates,
      cpuMsPer1000: cpuPerThousand(before, { user: after.user - idleUs, system: after.system }, got.received),
      ...(sender.failed !== undefined ? { sendFailed: sender.failed } : {}),
    };
  }

  // Ours: notifications first (the send and fan-out path without writes), then stored messages,
  // whose saturated steps leave work behind that would distort anything measured after them.
  const before = app.services.events.subscriptionCount();
  const subs = startHelper('drivers/ws-subscribers.js', {
    url: o.wsUrl,
    mode: 'graphql',
    clients: users.map((u) => ({ token: u.token, variables: { c: room.conversationId } })),
    query: o.subscription,
    maxMessages,
  });
  await subs.ready;
  await subscriptionsReady(app, before, 2 * n);
  const ownCpu = async () => process.cpuUsage();
  const ownIdle = await idleCpuOf(ownCpu);
  const sendAt = (rate: number, notify: boolean) => (seconds: number) =>
    runHelper('drivers/sender.js', {
      url: o.gqlUrl,
      token: o.adminToken,
      targets: [{ conversationId: room.conversationId, from: users[0]!.username }],
      rate,
      seconds,
      firstN,
      maxInflight: 32,
      notify,
      grace: quick ? 5 : 15,
    });
  const notifications = await ladder(notifyRates, (rate, s = T) => step(subs, rate, s, sendAt(rate, true), ownCpu, ownIdle));
  const stored = await ladder(storedRates, (rate, s = T) => step(subs, rate, s, sendAt(rate, false), ownCpu, ownIdle));
  subs.send('stop');

  // A baseline server process driven by `run <rate> <seconds> <firstN>`, with `cpu` readings.
  async function baseline(script: string, mode: 'graphql' | 'plain', args: unknown) {
    const server = startHelper(script, args);
    const { url } = await server.ready;
    const clients = users.map(() => (mode === 'graphql' ? { token: 'bench', variables: { c: room.conversationId } } : {}));
    const bsubs = startHelper('drivers/ws-subscribers.js', {
      url,
      mode,
      clients,
      query: mode === 'graphql' ? o.subscription : undefined,
      maxMessages,
    });
    await bsubs.ready;
    const ask = async () => (server.send('cpu'), (await server.next()) as NodeJS.CpuUsage);
    const idle = await idleCpuOf(ask);
    const steps = await ladder(notifyRates, (rate, s = T) =>
      step(bsubs, rate, s, async (seconds) => (server.send(`run ${rate} ${seconds} ${firstN}`), server.next()), ask, idle),
    );
    bsubs.send('stop');
    server.kill();
    return steps;
  }
  const stock = await baseline('baselines/graphql-ws-stock.js', 'graphql', {});
  const plain = await baseline('baselines/ws-broadcast.js', 'plain', { frameBytes: 200 });

  const best = (steps: Step[]) =>
    steps.filter((s) => s.latencyMs.p99 <= 100 && s.lost === 0).reduce((m, s) => Math.max(m, s.deliveriesPerSecond), 0);
  // CPU per 1,000 deliveries compared at the highest rate every series ran without saturating.
  const common = notifyRates
    .filter((r) => [notifications, stock, plain].every((ss) => ss.some((s) => s.rate === r && !saturated(s))))
    .at(-1);
  const cpuAt = (ss: Step[]) => ss.find((s) => s.rate === common)?.cpuMsPer1000 ?? null;
  return {
    subscribers: n,
    seconds: T,
    notifications,
    ours: stored,
    stockGraphqlWs: stock,
    plainWs: plain,
    oursBest: best(stored),
    notificationsBest: best(notifications),
    stockBest: best(stock),
    plainBest: best(plain),
    ratio: ratio(best(stored), best(plain)),
    ratioNotifications: ratio(best(notifications), best(plain)),
    ratioStock: ratio(best(stock), best(plain)),
    ratioStoredToNotifications: ratio(best(stored), best(notifications)),
    cpuCompareRate: common ?? null,
    cpuMsPer1000: { ours: cpuAt(notifications), stockGraphqlWs: cpuAt(stock), plainWs: cpuAt(plain) },
    target: 'notifications >= 0.5 x plain ws at p99 <= 100 ms',
  };
}

/** docs/fanout-room.svg: deliveries/s against p99 for each series, where each saturates at a glance. */
export function fanoutChart(r: Awaited<ReturnType<typeof fanoutRoomScenario>>): string {
  const points = (steps: Step[]) => steps.map((s) => ({ x: s.deliveriesPerSecond, y: Math.max(1, s.latencyMs.p99) }));
  return logLogChart({
    title: `Fan-out to ${r.subscribers.toLocaleString('en-US')} subscribers in one room: p99 latency against deliveries/s`,
    xLabel: 'deliveries per second (log)',
    yLabel: 'p99 latency, ms (log)',
    limitY: 100,
    series: [
      { name: 'imfacade, online-only notifications', color: '#1f77b4', points: points(r.notifications) },
      { name: 'imfacade, stored messages', color: '#2ca02c', points: points(r.ours) },
      { name: 'stock graphql-ws (same subscription, no database)', color: '#d62728', points: points(r.stockGraphqlWs) },
      { name: 'plain ws broadcast', color: '#7f7f7f', points: points(r.plainWs) },
    ],
  });
}

import type { RequestContext } from '../../src/domain/context';
import { cpuPerThousand, lostOf, settle, subscriptionsReady, type FanoutTarget } from '../lib/fanout';
import { runHelper, startHelper } from '../lib/proc';
import { median, ratio } from '../lib/stats';

type User = { id: string; username: string; token: string };

/**
 * The Easemob client SDKs' protocol (msync) beside GraphQL in the same run:
 * (a) messages a second between two clients: two connections of the vendor's own SDK
 * (easemob-websdk, headless in a driver process) against the same through GraphQL (sendMessage
 * over HTTP, messageAdded over graphql-ws), rounds interleaved, A sending with `window` unanswered;
 * (b) fan-out to 1,000 sockets in one chat room: msync sockets (the SDK's frames, a light client)
 * against graphql-ws subscribers of the same room, online-only messages at the same offered rates.
 */
export async function msyncScenario(o: FanoutTarget & { appCtx: () => RequestContext; users: User[]; appKey: string; base: string }) {
  const { app, users, tiny, quick, seconds: T } = o;
  const s = app.services;

  // (a) Two clients.
  // Two pairs of the last users (the first ones' conversation is the history scenario's), one per
  // protocol: a user's messages reach all their devices, so one pair for both would count each twice.
  const pairOf = async (a: User, b: User) => ({
    appKey: o.appKey,
    base: o.base,
    a,
    b,
    conversationId: (await s.conversations.openDirect(o.appCtx(), { id: a.id }, { id: b.id })).conversation.id,
  });
  const n = users.length;
  const count = tiny ? 20 : quick ? 100 : 200;
  const drivers = {
    sdk: startHelper('drivers/chat-pair.js', { ...(await pairOf(users[n - 2]!, users[n - 1]!)), mode: 'sdk' }),
    graphql: startHelper('drivers/chat-pair.js', { ...(await pairOf(users[n - 4]!, users[n - 3]!)), mode: 'graphql' }),
  };
  await Promise.all([drivers.sdk.ready, drivers.graphql.ready]);
  const run = async (d: 'sdk' | 'graphql', n: number, window: number) => {
    drivers[d].send(`run ${n} ${window}`);
    return drivers[d].next();
  };
  const summary = (rs: any[]) => ({
    messagesPerSecond: median(rs.map((x) => x.messagesPerSecond)),
    latencyP50Ms: median(rs.map((x) => x.latency.p50)),
    latencyP99Ms: median(rs.map((x) => x.latency.p99)),
    lost: rs.reduce((a, x) => a + x.lost + x.failed, 0),
    duplicated: rs.reduce((a, x) => a + x.duplicated, 0),
  });
  // BENCH_MSYNC_PARTS=fanout measures the fan-out alone (a re-run after a change to the push path).
  const pairToo = process.env.BENCH_MSYNC_PARTS !== 'fanout';
  if (pairToo) for (const d of ['sdk', 'graphql'] as const) await run(d, Math.min(count, 50), 8); // warm-up
  // One message at a time (each waits for its answer), then 8 unanswered: rounds interleaved.
  const pair = [];
  for (const window of !pairToo ? [] : tiny ? [8] : [1, 8]) {
    const rounds: Record<'sdk' | 'graphql', any[]> = { sdk: [], graphql: [] };
    for (let r = 0; r < (tiny ? 1 : 3); r++) for (const d of ['sdk', 'graphql'] as const) rounds[d].push(await run(d, count, window));
    const sdk = summary(rounds.sdk);
    const graphql = summary(rounds.graphql);
    pair.push({
      count,
      window,
      rounds: rounds.sdk.length,
      sdk,
      graphql,
      ratioMessagesPerSecond: ratio(sdk.messagesPerSecond, graphql.messagesPerSecond),
    });
  }
  for (const d of Object.values(drivers)) d.send('stop');

  // (b) One room of every user but its sender.
  const subscribers = users.slice(1);
  const room = await s.rooms.create(o.appCtx(), {
    name: 'msync-room',
    owner: { id: users[0]!.id },
    members: subscribers.map((u) => ({ id: u.id })),
    maxUsers: users.length + 10,
  });
  // Online-only messages (notifications): the delivery path, not the database's insert rate (stored
  // room messages are bounded by it, see fanout-room), as the room fan-out scenario measures it.
  const rates = tiny ? [5] : quick ? [10, 40] : [10, 20, 40, 80, 160];
  const maxMessages = rates.reduce((a, r) => a + r * T, 0) + 200;
  let firstN = 0;
  async function ladder(mode: 'msync' | 'graphql') {
    const before = s.events.subscriptionCount();
    const subs = startHelper('drivers/ws-subscribers.js', {
      url: mode === 'msync' ? `${o.base.replace(/^http/, 'ws')}/easemob/ws` : o.wsUrl,
      mode,
      appKey: o.appKey,
      clients: subscribers.map((u) => ({ token: u.token, username: u.username, variables: { c: room.conversationId } })),
      query: mode === 'graphql' ? o.subscription : undefined,
      maxMessages,
    });
    await subs.ready;
    await subscriptionsReady(app, before, (mode === 'msync' ? 1 : 2) * subscribers.length);
    firstN = 0;
    const steps = [];
    for (const rate of rates) {
      const cpu = process.cpuUsage();
      const sender = await runHelper('drivers/sender.js', {
        url: o.gqlUrl,
        token: o.adminToken,
        targets: [{ conversationId: room.conversationId, from: users[0]!.username }],
        rate,
        seconds: T,
        firstN,
        maxInflight: 32,
        notify: true,
        grace: quick ? 5 : 15,
      });
      await settle(subs, quick);
      const used = process.cpuUsage(cpu);
      subs.send('report');
      const got = await subs.next();
      const acked: number[] = sender.acked;
      firstN += rate * T;
      steps.push({
        rate,
        achievedRate: sender.achievedRate,
        deliveriesPerSecond: Math.round(got.received / Math.max(T, (got.lastAt - sender.startedAt) / 1000)),
        latencyMs: got.latency,
        lost: lostOf(acked, got.perMessage, subscribers.length),
        duplicated: got.duplicates,
        cpuMsPer1000: cpuPerThousand({ user: 0, system: 0 }, used, got.received),
      });
    }
    subs.send('stop');
    return steps;
  }
  const msync = await ladder('msync');
  const graphql = await ladder('graphql');
  return {
    pair,
    fanout: {
      sockets: subscribers.length,
      msync,
      graphql,
      ratioP99AtEachRate: msync.map((m, i) => ratio(m.latencyMs.p99, graphql[i]!.latencyMs.p99)),
      ratioCpuAtEachRate: msync.map((m, i) => ratio(m.cpuMsPer1000, graphql[i]!.cpuMsPer1000)),
    },
  };
}

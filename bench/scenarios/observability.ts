import type { RequestContext } from '../../src/domain/context';
import { disableMetrics, enableMetrics } from '../../src/observability/metrics';
import { pauseTracing, tracingOn } from '../../src/observability/tracing';
import { cpuPerThousand, settle, subscriptionsReady, type FanoutTarget } from '../lib/fanout';
import { runHelper, startHelper } from '../lib/proc';
import { median, ratio } from '../lib/stats';

type Mode = 'off' | 'metrics' | 'metrics+tracing';
const MODES: Mode[] = ['off', 'metrics', 'metrics+tracing'];

function setMode(mode: Mode) {
  if (mode === 'off') disableMetrics();
  else enableMetrics();
  pauseTracing(mode !== 'metrics+tracing');
}

/**
 * What metrics and tracing cost, measured in one process against one database with the modes
 * interleaved round by round (off, metrics, metrics + tracing, off, …), so that a busy moment of a
 * shared machine falls on every mode alike; medians per mode. The server must have been started
 * with metrics and tracing configured (bench/observability.js does): "off" then pauses both, which
 * leaves their hooks in place (a server without them configured has less still).
 *   - trivial query `{ __typename }` over HTTP, 32 connections: requests a second;
 *   - fan-out: one room, online-only messages at a fixed rate: CPU per 1,000 deliveries, p50/p99.
 */
export async function observabilityScenario(
  o: FanoutTarget & { appCtx: () => RequestContext; users: { id: string; username: string; token: string }[] },
) {
  if (!tracingOn())
    throw new Error('observability scenario: start the server with OTEL_EXPORTER_OTLP_ENDPOINT set (npm run bench:observability)');
  const rounds = o.tiny ? 1 : o.quick ? 3 : 5;
  const rate = 40;
  const trivial = [JSON.stringify({ query: '{ __typename }' })];
  const rps: Record<Mode, number[]> = { off: [], metrics: [], 'metrics+tracing': [] };
  // The server's CPU per request: steadier than throughput where the load generator shares the cores.
  const cpuPerRequest: Record<Mode, number[]> = { off: [], metrics: [], 'metrics+tracing': [] };
  const load = () => runHelper('drivers/http-load.js', { url: o.gqlUrl, bodies: trivial, connections: 32, seconds: o.seconds });
  await load(); // warm-up (JIT, keep-alive), not kept
  for (let r = 0; r < rounds; r++)
    for (const mode of MODES) {
      setMode(mode);
      const before = process.cpuUsage();
      const result = await load();
      const used = process.cpuUsage(before);
      rps[mode].push(result.requestsPerSecond);
      const requests = result.requestsPerSecond * o.seconds;
      cpuPerRequest[mode].push(Math.round(((used.user + used.system) / Math.max(1, requests)) * 10) / 10);
    }

  const room = await o.app.services.groups.create(o.appCtx(), {
    name: 'observability-room',
    owner: { id: o.users[0]!.id },
    members: o.users.slice(1).map((u) => ({ id: u.id })),
    super: true,
  });
  const n = o.users.length;
  const before = o.app.services.events.subscriptionCount();
  const perStep = rate * o.seconds;
  const subs = startHelper('drivers/ws-subscribers.js', {
    url: o.wsUrl,
    mode: 'graphql',
    clients: o.users.map((u) => ({ token: u.token, variables: { c: room.conversationId } })),
    query: o.subscription,
    maxMessages: perStep * (rounds * MODES.length + 1) + 10,
  });
  await subs.ready;
  await subscriptionsReady(o.app, before, 2 * n);
  let firstN = 0;
  const fanout: Record<Mode, { cpu: number[]; p50: number[]; p99: number[]; lost: number }> = {
    off: { cpu: [], p50: [], p99: [], lost: 0 },
    metrics: { cpu: [], p50: [], p99: [], lost: 0 },
    'metrics+tracing': { cpu: [], p50: [], p99: [], lost: 0 },
  };
  const send = async () => {
    const sender = await runHelper('drivers/sender.js', {
      url: o.gqlUrl,
      token: o.adminToken,
      targets: [{ conversationId: room.conversationId, from: o.users[0]!.username }],
      rate,
      seconds: o.seconds,
      firstN,
      maxInflight: 32,
      notify: true,
      grace: 5,
    });
    firstN += perStep;
    return sender;
  };
  setMode('off');
  await send(); // warm-up, not kept
  await settle(subs, o.quick);
  subs.send('report');
  await subs.next();
  for (let r = 0; r < rounds; r++)
    for (const mode of MODES) {
      setMode(mode);
      const cpuBefore = process.cpuUsage();
      await send();
      await settle(subs, o.quick);
      const cpuAfter = process.cpuUsage();
      subs.send('report');
      const got = await subs.next();
      const f = fanout[mode];
      f.cpu.push(cpuPerThousand(cpuBefore, cpuAfter, got.received));
      f.p50.push(got.latency.p50);
      f.p99.push(got.latency.p99);
      f.lost += Math.max(0, perStep * n - got.received);
    }
  subs.send('stop');
  setMode('metrics+tracing');

  const summary = Object.fromEntries(
    MODES.map((m) => [
      m,
      {
        trivialRequestsPerSecond: median(rps[m]),
        trivialCpuMicrosPerRequest: median(cpuPerRequest[m]),
        fanoutCpuMsPer1000: median(fanout[m].cpu),
        fanoutP50Ms: median(fanout[m].p50),
        fanoutP99Ms: median(fanout[m].p99),
        fanoutLost: fanout[m].lost,
      },
    ]),
  ) as Record<
    Mode,
    Record<
      'trivialRequestsPerSecond' | 'trivialCpuMicrosPerRequest' | 'fanoutCpuMsPer1000' | 'fanoutP50Ms' | 'fanoutP99Ms' | 'fanoutLost',
      number
    >
  >;
  return {
    rounds,
    seconds: o.seconds,
    subscribers: n,
    messagesPerSecond: rate,
    modes: summary,
    runs: { trivialRequestsPerSecond: rps, trivialCpuMicrosPerRequest: cpuPerRequest, fanout },
    trivialRatio: {
      metrics: ratio(summary.metrics.trivialRequestsPerSecond, summary.off.trivialRequestsPerSecond),
      metricsAndTracing: ratio(summary['metrics+tracing'].trivialRequestsPerSecond, summary.off.trivialRequestsPerSecond),
    },
    trivialCpuRatio: {
      metrics: ratio(summary.metrics.trivialCpuMicrosPerRequest, summary.off.trivialCpuMicrosPerRequest),
      metricsAndTracing: ratio(summary['metrics+tracing'].trivialCpuMicrosPerRequest, summary.off.trivialCpuMicrosPerRequest),
    },
    fanoutCpuRatio: {
      metrics: ratio(summary.metrics.fanoutCpuMsPer1000, summary.off.fanoutCpuMsPer1000),
      metricsAndTracing: ratio(summary['metrics+tracing'].fanoutCpuMsPer1000, summary.off.fanoutCpuMsPer1000),
    },
  };
}

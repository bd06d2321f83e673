import type { Logger } from 'pino';
import { createApplication, type Application } from '../../src/app/index';
import { loadConfig } from '../../src/app/config';
import type { RequestContext } from '../../src/domain/context';
import { runHelper, startHelper } from '../lib/proc';
import { seedUsers } from '../lib/seed';
import { bootstrapRatioCI, median, ratio, summarize, type LatencySummary } from '../lib/stats';
import { parse } from 'graphql';
import { surfaceOf } from '../../src/app/surface';
import { buildSchema } from '../../src/graphql/schema';
import { checkCost } from '../../src/graphql/limits';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Seeded = { id: string; username: string; token: string };

/** A conversation page of `first` conversations with 20 members each, their profiles and last message. */
const conversationPage = (first: number) => `{ conversations(first: ${first}) { nodes { id kind unreadCount lastSeq
  members(first: 20) { nodes { role nickname user { username nickname profile { displayName } } } }
  lastMessage { id seq text createdAt sender { username nickname } } } } }`;

/**
 * The heaviest such page the server's configured cost limit still allows, priced by the server's
 * own rule (graphql/limits.ts) on its schema: the abuser stays the heaviest allowed whatever the
 * schema or GRAPHQL_MAX_COST become (a fixed page once outgrew the limit and failed the bench).
 */
export function heaviestAllowed(app: Application): { query: string; cost: number } {
  const schema = buildSchema(surfaceOf(app.services));
  for (let first = 40; first >= 1; first--) {
    const query = conversationPage(first);
    const { cost, error } = checkCost(schema, parse(query), {}, undefined, app.config.core.limits);
    if (cost !== undefined && !error) return { query, cost };
  }
  throw new Error(`not even one conversation fits GRAPHQL_MAX_COST ${app.config.core.limits.cost}`);
}
const PROBE_QUERY = '{ me { username } }';
const PHASES = ['alone', 'heavyQuery', 'subscriptionLimit', 'tokenScanner'] as const;
type Phase = (typeof PHASES)[number];

/**
 * A cheap probe's latency alone and beside three abusers, on a second server in this process
 * with the production defaults (every limit on; the main bench server runs without rate limits):
 * (a) 10 users each running the heaviest allowed query in a loop, (b) one WebSocket client
 * pressing on its subscription limit, (c) an anonymous client trying random bearer tokens.
 */
export async function abuseScenario(o: {
  uri: string;
  dbName: string;
  log: Logger;
  appCtx: () => RequestContext;
  appId: string;
  seconds: number;
  quick?: boolean;
  tiny?: boolean;
}) {
  const app: Application = await createApplication(
    loadConfig({
      NODE_ENV: 'production',
      IMBEE_PUBLIC_URL: 'https://chat.example.com',
      HOST: '127.0.0.1',
      PORT: '0',
      MONGODB_URI: o.uri,
      MONGODB_DB_NAME: o.dbName,
      LOG_LEVEL: 'warn',
      DEMO_APP: 'false',
      OUTBOX_WORKER: 'false',
    }),
    o.log,
  );
  try {
    const base = await app.listen();
    const url = `${base}/graphql`;
    // Ten heavy users who each belong to the same 40 groups of 12, every group with a message.
    const heavy = await seedUsers(app, o.appId, 10, 'heavy');
    const extras = await seedUsers(app, o.appId, 2, 'crowd');
    const probeUser = (await seedUsers(app, o.appId, 1, 'probe'))[0]!;
    let firstGroup = '';
    for (let g = 0; g < 40; g++) {
      const group = await app.services.groups.create(o.appCtx(), {
        name: `heavy${g}`,
        owner: { id: heavy[0]!.id },
        members: [...heavy.slice(1), ...extras].map((u: Seeded) => ({ id: u.id })),
      });
      firstGroup ||= group.conversationId;
      await app.services.messages.send(o.appCtx(), {
        conversationId: group.conversationId,
        from: { id: heavy[g % 10]!.id },
        type: 'text',
        text: `g${g}`,
      });
    }
    const { query: HEAVY_QUERY, cost: heavyCost } = heaviestAllowed(app);
    const check = await (
      await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${heavy[0]!.token}` },
        body: JSON.stringify({ query: HEAVY_QUERY }),
      })
    ).json();
    if ((check as { errors?: unknown }).errors) throw new Error(`the heavy query is refused: ${JSON.stringify(check).slice(0, 300)}`);

    // Rounds of four phases (alone, then beside each abuser), the order rotating, so that a busy
    // moment of a shared machine falls on every phase alike; samples are pooled per phase across
    // rounds (several hundred, so that p99 is not the slowest one or two), and each abuser's p99
    // ratio gets a bootstrap 95 % confidence interval besides the median of its per-round ratios.
    const rounds = o.tiny ? 1 : o.quick ? 3 : 5;
    const probeSeconds = o.tiny ? o.seconds : o.quick ? 5 : 10;
    const probe = () =>
      runHelper('drivers/http-probe.js', {
        url,
        headers: { authorization: `Bearer ${probeUser.token}` },
        bodies: { probe: JSON.stringify({ query: PROBE_QUERY }) },
        count: 20,
        seconds: probeSeconds,
        gapMs: 25, // 40 requests/s: under the probe's own rate limit
        samples: true,
        localAddress: '127.0.0.2', // another client than the abusers (127.0.0.1)
      }).then((r) => r.probe as { latencyMs: LatencySummary; errors: number; samples: number[] });
    /** The probe while an abuser runs (started first; it runs a second longer than the probe). */
    const beside = async (start: () => { result: Promise<any>; stop?: () => void }) => {
      const abuser = start();
      await sleep(500);
      const p = await probe();
      const result = await abuser.result;
      abuser.stop?.();
      return { probe: p, abuser: result };
    };
    const subscriptionLimit = app.config.websocket.maxSubscriptions;
    const phases: Record<Phase, () => Promise<{ probe: Awaited<ReturnType<typeof probe>>; abuser?: any }>> = {
      alone: async () => ({ probe: await probe() }),
      heavyQuery: () =>
        beside(() => ({
          result: runHelper('drivers/http-load.js', {
            url,
            tokens: heavy.map((u: Seeded) => u.token),
            bodies: [JSON.stringify({ query: HEAVY_QUERY })],
            connections: 10,
            seconds: probeSeconds + 1,
          }),
        })),
      subscriptionLimit: () =>
        beside(() => {
          const churn = startHelper('drivers/ws-churn.js', {
            url: url.replace('http', 'ws'),
            token: heavy[0]!.token,
            query: 'subscription($c: ID) { messageAdded(conversationId: $c) { id } }',
            variables: { c: firstGroup },
            limit: subscriptionLimit,
            seconds: probeSeconds + 1,
          });
          return { result: churn.result, stop: () => churn.kill() };
        }),
      tokenScanner: () =>
        beside(() => ({
          result: runHelper('drivers/http-load.js', {
            url,
            randomTokens: true,
            bodies: [JSON.stringify({ query: '{ viewer { __typename } }' })],
            connections: 10,
            seconds: probeSeconds + 1,
          }),
        })),
    };
    const runs: Record<Phase, { probe: Awaited<ReturnType<typeof probe>>; abuser?: any }[]> = {
      alone: [],
      heavyQuery: [],
      subscriptionLimit: [],
      tokenScanner: [],
    };
    for (let r = 0; r < rounds; r++)
      for (let i = 0; i < PHASES.length; i++) {
        const phase = PHASES[(i + r) % PHASES.length]!;
        runs[phase].push(await phases[phase]());
      }
    const pooled = (phase: Phase) => runs[phase].flatMap((x) => x.probe.samples);
    const alone = { latencyMs: summarize(pooled('alone')), perRoundP99: runs.alone.map((x) => x.probe.latencyMs.p99) };
    const figures = (phase: Exclude<Phase, 'alone'>) => {
      const perRound = runs[phase].map((x, r) => ratio(x.probe.latencyMs.p99, runs.alone[r]!.probe.latencyMs.p99));
      const latencyMs = summarize(pooled(phase));
      return {
        probe: { latencyMs, errors: runs[phase].reduce((n, x) => n + x.probe.errors, 0) },
        abuser: runs[phase].map((x) => x.abuser),
        ratioP99: ratio(latencyMs.p99, alone.latencyMs.p99),
        ratioP99PerRound: perRound,
        ratioP99Median: median(perRound),
        ratioP99CI95: bootstrapRatioCI(pooled('alone'), pooled(phase), 0.99),
      };
    };
    const heavyLoad = figures('heavyQuery');
    const wsLimit = figures('subscriptionLimit');
    const scanner = figures('tokenScanner');
    return {
      probeQuery: PROBE_QUERY,
      rounds,
      probeSeconds,
      alone,
      heavyQuery: { query: HEAVY_QUERY, cost: heavyCost, costLimit: app.config.core.limits.cost, clients: 10, ...heavyLoad },
      subscriptionLimit: { limit: subscriptionLimit, ...wsLimit },
      tokenScanner: { connections: 10, ...scanner },
      worstRatioP99: Math.max(heavyLoad.ratioP99, wsLimit.ratioP99, scanner.ratioP99),
      target: 'probe p99 under abuse <= 2 x alone',
    };
  } finally {
    await app.close();
  }
}

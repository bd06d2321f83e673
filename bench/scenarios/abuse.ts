import type { Logger } from 'pino';
import { createApplication, type Application } from '../../src/app/index';
import { loadConfig } from '../../src/app/config';
import type { RequestContext } from '../../src/domain/context';
import { runHelper, startHelper } from '../lib/proc';
import { seedUsers } from '../lib/seed';
import { ratio } from '../lib/stats';
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

    // At least 10 s of probes (~250 samples), so that p99 is not just the slowest sample or two.
    const probeSeconds = o.tiny ? o.seconds : Math.max(10, o.seconds);
    const probe = () =>
      runHelper('drivers/http-probe.js', {
        url,
        headers: { authorization: `Bearer ${probeUser.token}` },
        bodies: { probe: JSON.stringify({ query: PROBE_QUERY }) },
        count: 20,
        seconds: probeSeconds,
        gapMs: 25, // 40 requests/s: under the probe's own rate limit
      }).then((r) => r.probe);
    /** The probe while `abuser` runs (started first; it runs a second longer than the probe). */
    const beside = async (abuser: Promise<any>) => {
      await sleep(500);
      const p = await probe();
      return { probe: p, abuser: await abuser };
    };
    const alone = await probe();
    const heavyLoad = await beside(
      runHelper('drivers/http-load.js', {
        url,
        tokens: heavy.map((u: Seeded) => u.token),
        bodies: [JSON.stringify({ query: HEAVY_QUERY })],
        connections: 10,
        seconds: probeSeconds + 1,
      }),
    );
    const subscriptionLimit = app.config.websocket.maxSubscriptions;
    const churn = startHelper('drivers/ws-churn.js', {
      url: url.replace('http', 'ws'),
      token: heavy[0]!.token,
      query: 'subscription($c: ID) { messageAdded(conversationId: $c) { id } }',
      variables: { c: firstGroup },
      limit: subscriptionLimit,
      seconds: probeSeconds + 1,
    });
    const wsLimit = await beside(churn.result);
    churn.kill();
    const scanner = await beside(
      runHelper('drivers/http-load.js', {
        url,
        randomTokens: true,
        bodies: [JSON.stringify({ query: '{ viewer { __typename } }' })],
        connections: 10,
        seconds: probeSeconds + 1,
      }),
    );
    const p99 = (r: { probe: { latencyMs: { p99: number } } }) => ratio(r.probe.latencyMs.p99, alone.latencyMs.p99);
    return {
      probeQuery: PROBE_QUERY,
      alone,
      heavyQuery: {
        query: HEAVY_QUERY,
        cost: heavyCost,
        costLimit: app.config.core.limits.cost,
        clients: 10,
        ...heavyLoad,
        ratioP99: p99(heavyLoad),
      },
      subscriptionLimit: { limit: subscriptionLimit, ...wsLimit, ratioP99: p99(wsLimit) },
      tokenScanner: { connections: 10, ...scanner, ratioP99: p99(scanner) },
      worstRatioP99: Math.max(p99(heavyLoad), p99(wsLimit), p99(scanner)),
      target: 'probe p99 under abuse <= 2 x alone',
    };
  } finally {
    await app.close();
  }
}

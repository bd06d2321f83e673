import { runHelper, startHelper, type Helper } from '../lib/proc';
import { median, ratio } from '../lib/stats';

/**
 * Framework overhead: the cheapest GraphQL request, `{ __typename }` over HTTP from 32 keep-alive
 * connections, on ours, stock Apollo Server 5 standalone (its own process) and a lean reference
 * (graphql-http on Node's http, its own process), plus ours with a small authenticated query
 * (`{ me { username } }`, bearer token). The servers take turns round by round, the order rotating,
 * so that a busy moment of a shared machine falls on each alike; medians are reported. Beside
 * throughput, each server's CPU time per request (the load generator shares the two cores, so
 * throughput also measures the generator; CPU per request measures the server alone).
 */
export async function frameworkScenario(o: { gqlUrl: string; userToken: string; seconds: number; rounds: number }) {
  const stock = startHelper('baselines/apollo-standalone.js', {}, { NODE_ENV: 'production' });
  const lean = startHelper('baselines/graphql-http.js', {}, { NODE_ENV: 'production' });
  try {
    const [{ url: stockUrl }, { url: leanUrl }] = await Promise.all([stock.ready, lean.ready]);
    const cpuOf = async (h?: Helper): Promise<NodeJS.CpuUsage> => {
      if (!h) return process.cpuUsage();
      const answer = h.next();
      h.send('cpu');
      return answer;
    };
    const targets = [
      { name: 'stockApollo', url: stockUrl, helper: stock, query: '{ __typename }' },
      { name: 'graphqlHttp', url: leanUrl, helper: lean, query: '{ __typename }' },
      { name: 'ours', url: o.gqlUrl, query: '{ __typename }' },
      { name: 'oursAuthenticated', url: o.gqlUrl, query: '{ me { username } }', token: o.userToken },
    ];
    const runs = new Map(targets.map((t) => [t.name, [] as { rps: number; cpuUs: number; result: any }[]]));
    const load = (t: (typeof targets)[number]) =>
      runHelper('drivers/http-load.js', {
        url: t.url,
        headers: t.token ? { authorization: `Bearer ${t.token}` } : undefined,
        bodies: [JSON.stringify({ query: t.query })],
        connections: 32,
        seconds: o.seconds,
      });
    for (const t of targets) await load(t); // warm-up: JIT, caches, keep-alive
    for (let r = 0; r < o.rounds; r++)
      for (let i = 0; i < targets.length; i++) {
        const t = targets[(i + r) % targets.length]!;
        const before = await cpuOf(t.helper);
        const result = await load(t);
        const after = await cpuOf(t.helper);
        const cpuUs = after.user + after.system - before.user - before.system;
        runs.get(t.name)!.push({ rps: result.requestsPerSecond, cpuUs: Math.round((cpuUs / Math.max(1, result.total)) * 10) / 10, result });
        if (result.non2xx) throw new Error(`framework: ${t.name} answered ${result.non2xx} non-2xx (${JSON.stringify(result.statuses)})`);
      }
    const summary = (name: string) => {
      const xs = runs.get(name)!;
      const rps = median(xs.map((x) => x.rps));
      return {
        requestsPerSecond: rps,
        cpuUsPerRequest: median(xs.map((x) => x.cpuUs)),
        rounds: xs.map((x) => x.rps),
        latency: xs.find((x) => x.rps === rps)!.result.latency,
      };
    };
    const [s, g, ours, auth] = targets.map((t) => summary(t.name));
    return {
      ours,
      oursAuthenticated: auth,
      stockApollo: s,
      graphqlHttp: g,
      ratio: ratio(ours!.requestsPerSecond, s!.requestsPerSecond),
      cpuRatio: ratio(s!.cpuUsPerRequest, ours!.cpuUsPerRequest),
      ratioToGraphqlHttp: ratio(ours!.requestsPerSecond, g!.requestsPerSecond),
      rounds: o.rounds,
      target: '>= 1.0 (moonshot 1.5)',
    };
  } finally {
    stock.kill();
    lean.kill();
  }
}

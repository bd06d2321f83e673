import crypto from 'node:crypto';
import autocannon from 'autocannon';
import { argsOf, say } from '../lib/proc';

/**
 * HTTP load with autocannon: `connections` concurrent keep-alive connections for `seconds`,
 * cycling through `bodies` (one request each), and through `tokens` as bearer tokens when given;
 * `randomTokens` sends a fresh random bearer token each time (a token scanner).
 * Reports requests/s, latency percentiles and the count of each status.
 */
interface Args {
  url: string;
  headers?: Record<string, string>;
  bodies: string[];
  tokens?: string[];
  randomTokens?: boolean;
  connections: number;
  seconds: number;
}

async function main() {
  const a = argsOf<Args>();
  let i = 0;
  let t = 0;
  const bearer = () =>
    a.randomTokens ? crypto.randomBytes(32).toString('base64url') : a.tokens?.length ? a.tokens[t++ % a.tokens.length] : undefined;
  const result = await autocannon({
    url: a.url,
    method: 'POST',
    connections: a.connections,
    duration: a.seconds,
    headers: { 'content-type': 'application/json', ...a.headers },
    requests: [
      {
        setupRequest: (req) => {
          const token = bearer();
          const headers = token ? { ...req.headers, authorization: `Bearer ${token}` } : req.headers;
          return { ...req, headers, body: a.bodies[i++ % a.bodies.length] };
        },
      },
    ],
  });
  const stats = (result as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {};
  const statuses = Object.fromEntries(Object.entries(stats).map(([code, s]) => [code, s.count]));
  say('RESULT', {
    requestsPerSecond: Math.round(result.requests.average),
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    statuses,
    latency: { p50: result.latency.p50, p97_5: result.latency.p97_5, p99: result.latency.p99, max: result.latency.max },
  });
}

void main();

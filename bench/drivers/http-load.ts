import autocannon from 'autocannon';
import { argsOf, say } from '../lib/proc';

/**
 * HTTP load with autocannon: `connections` concurrent keep-alive connections for `seconds`,
 * cycling through `bodies` (one request each). Reports requests/s and latency percentiles.
 */
interface Args {
  url: string;
  headers?: Record<string, string>;
  bodies: string[];
  connections: number;
  seconds: number;
}

async function main() {
  const a = argsOf<Args>();
  let i = 0;
  const result = await autocannon({
    url: a.url,
    method: 'POST',
    connections: a.connections,
    duration: a.seconds,
    headers: { 'content-type': 'application/json', ...a.headers },
    requests: [{ setupRequest: (req) => ({ ...req, body: a.bodies[i++ % a.bodies.length] }) }],
  });
  say('RESULT', {
    requestsPerSecond: Math.round(result.requests.average),
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    latency: { p50: result.latency.p50, p97_5: result.latency.p97_5, p99: result.latency.p99, max: result.latency.max },
  });
}

void main();

import http from 'node:http';
import { nowMs, summarize } from '../lib/stats';
import { argsOf, say } from '../lib/proc';

/**
 * Sequential requests, one at a time: the latency of each named body, `count` times each, or for
 * `seconds` when given (at least `count`), pausing `gapMs` between requests.
 */
interface Args {
  url: string;
  headers?: Record<string, string>;
  bodies: Record<string, string>;
  count: number;
  seconds?: number;
  gapMs?: number;
  /** Report every sample too (for confidence intervals). */
  samples?: boolean;
  /**
   * The loopback address to send from (127.0.0.2…): the probe is another client than the abusers
   * on 127.0.0.1, as it would be in the field (limits and penalties go by client address).
   */
  localAddress?: string;
}

/** One POST over a keep-alive connection; resolves with the status and the parsed body. */
function post(agent: http.Agent, url: URL, headers: Record<string, string>, body: string) {
  return new Promise<{ status: number; json: { errors?: unknown } }>((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString()) as { errors?: unknown } });
        } catch (e) {
          reject(e as Error);
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const a = argsOf<Args>();
  const out: Record<string, unknown> = {};
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1, localAddress: a.localAddress });
  const url = new URL(a.url);
  for (const [name, body] of Object.entries(a.bodies)) {
    const samples: number[] = [];
    let errors = 0;
    const until = nowMs() + (a.seconds ?? 0) * 1000;
    for (let i = 0; i < a.count || nowMs() < until; i++) {
      const t = nowMs();
      const { status, json } = await post(agent, url, { 'content-type': 'application/json', ...a.headers }, body);
      samples.push(nowMs() - t);
      if (status !== 200 || json.errors) errors++;
      if (a.gapMs) await sleep(a.gapMs);
    }
    out[name] = { latencyMs: summarize(samples), errors, ...(a.samples ? { samples: samples.map((x) => Math.round(x * 100) / 100) } : {}) };
  }
  agent.destroy();
  say('RESULT', out);
}

void main();

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
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const a = argsOf<Args>();
  const out: Record<string, unknown> = {};
  for (const [name, body] of Object.entries(a.bodies)) {
    const samples: number[] = [];
    let errors = 0;
    const until = nowMs() + (a.seconds ?? 0) * 1000;
    for (let i = 0; i < a.count || nowMs() < until; i++) {
      const t = nowMs();
      const res = await fetch(a.url, { method: 'POST', headers: { 'content-type': 'application/json', ...a.headers }, body });
      const json = (await res.json()) as { errors?: unknown };
      samples.push(nowMs() - t);
      if (!res.ok || json.errors) errors++;
      if (a.gapMs) await sleep(a.gapMs);
    }
    out[name] = { latencyMs: summarize(samples), errors };
  }
  say('RESULT', out);
}

void main();

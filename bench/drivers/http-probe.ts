import { nowMs, summarize } from '../lib/stats';
import { argsOf, say } from '../lib/proc';

/** Sequential requests, one at a time: the latency of each named body, `count` times each. */
interface Args {
  url: string;
  headers?: Record<string, string>;
  bodies: Record<string, string>;
  count: number;
}

async function main() {
  const a = argsOf<Args>();
  const out: Record<string, unknown> = {};
  for (const [name, body] of Object.entries(a.bodies)) {
    const samples: number[] = [];
    let errors = 0;
    for (let i = 0; i < a.count; i++) {
      const t = nowMs();
      const res = await fetch(a.url, { method: 'POST', headers: { 'content-type': 'application/json', ...a.headers }, body });
      const json = (await res.json()) as { errors?: unknown };
      samples.push(nowMs() - t);
      if (!res.ok || json.errors) errors++;
    }
    out[name] = { latencyMs: summarize(samples), errors };
  }
  say('RESULT', out);
}

void main();

import { nowMs } from '../lib/stats';
import { argsOf, say } from '../lib/proc';

/**
 * Sends `rate` messages a second for `seconds` through GraphQL sendMessage (app token, `from`
 * a member), cycling through the targets. Each text carries `t=<when it was due>;n=<number>`.
 * Numbers start at `firstN`, so several runs against one subscriber process stay distinct.
 */
interface Args {
  url: string;
  token: string;
  targets: { conversationId: string; from: string }[];
  rate: number;
  seconds: number;
  firstN: number;
  grace?: number;
  /** Most requests in flight; past it the sender falls behind its schedule (achieved rate < rate). */
  maxInflight?: number;
  /** Online-only notifications (persist: false): delivered, never stored. */
  notify?: boolean;
}

const SEND = 'mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }';

async function main() {
  const a = argsOf<Args>();
  const total = Math.round(a.rate * a.seconds);
  // Warm up first (fetch's lazy load, JIT, keep-alive connections): a cold first send would be
  // late by a hundred milliseconds and count as the server's latency.
  for (let i = 0; i < 3; i++)
    await Promise.all(
      Array.from({ length: Math.min(8, a.maxInflight ?? 8) }, () =>
        fetch(a.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${a.token}` },
          body: '{"query":"{ __typename }"}',
        }).then((r) => r.arrayBuffer()),
      ),
    );
  const start = nowMs() + 50;
  let ok = 0;
  const acked: number[] = [];
  let failed = 0;
  let firstError: string | undefined;
  const inflight = new Set<Promise<void>>();
  // Past saturation sends queue up: whatever has not answered `grace` seconds after the last
  // scheduled send is aborted and counted as failed, so a run always ends.
  const abort = new AbortController();
  const giveUp = setTimeout(() => abort.abort(), (a.seconds + (a.grace ?? 15)) * 1000);
  for (let k = 0; k < total; k++) {
    const due = start + (k * 1000) / a.rate;
    const wait = due - nowMs();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const target = a.targets[k % a.targets.length]!;
    const n = a.firstN + k;
    const p = fetch(a.url, {
      method: 'POST',
      signal: abort.signal,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${a.token}` },
      body: JSON.stringify({
        query: SEND,
        variables: {
          i: {
            conversationId: target.conversationId,
            from: { username: target.from },
            type: a.notify ? 'NOTIFICATION' : 'TEXT',
            ...(a.notify ? { persist: false } : {}),
            text: `t=${due.toFixed(3)};n=${n}`,
          },
        },
      }),
    })
      .then(async (res) => {
        const body = (await res.json()) as { errors?: unknown[] };
        if (res.ok && !body.errors) {
          ok++;
          acked.push(n);
        } else {
          failed++;
          firstError ??= JSON.stringify(body).slice(0, 300);
        }
      })
      .catch((e: unknown) => {
        failed++;
        firstError ??= String(e);
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
    if (inflight.size >= (a.maxInflight ?? 64)) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  clearTimeout(giveUp);
  const seconds = (nowMs() - start) / 1000;
  say('RESULT', { startedAt: start, sent: ok, failed, firstError, seconds, achievedRate: Math.round((ok / seconds) * 10) / 10, acked });
}

void main();

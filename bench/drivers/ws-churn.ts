import WebSocket from 'ws';
import { argsOf, say } from '../lib/proc';

/**
 * One graphql-ws client pressing on its subscription limit: it opens `limit` subscriptions, then
 * for `seconds` keeps asking for one more (refused) and replacing its oldest (complete + subscribe),
 * as fast as the server answers. Reports how many subscribes were accepted and refused.
 */
interface Args {
  url: string;
  token: string;
  query: string;
  variables: Record<string, unknown>;
  limit: number;
  seconds: number;
}

async function main() {
  const a = argsOf<Args>();
  const ws = new WebSocket(a.url, 'graphql-transport-ws', { perMessageDeflate: false });
  let next = 0;
  let refused = 0;
  const codes: Record<string, number> = {};
  let replaced = 0;
  const live: number[] = [];
  const subscribe = () => {
    const id = next++;
    ws.send(JSON.stringify({ id: String(id), type: 'subscribe', payload: { query: a.query, variables: a.variables } }));
    return id;
  };
  let stopAt = 0;
  let closed: { code: number; reason: string } | undefined;
  let lastError = Date.now();
  await new Promise<void>((resolve) => {
    // Should an extra subscribe be accepted after all (a replacement still in flight), ask again.
    const watchdog = setInterval(() => {
      if (stopAt && Date.now() >= stopAt) resolve();
      else if (stopAt && Date.now() - lastError > 500) live.push(subscribe());
    }, 250);
    ws.on('close', () => clearInterval(watchdog));
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${a.token}` } })));
    ws.on('close', (code, reason) => ((closed = { code, reason: reason.toString() }), resolve()));
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { type: string; id?: string; payload?: { extensions?: { code?: string } }[] };
      if (m.type === 'connection_ack') {
        for (let i = 0; i < a.limit; i++) live.push(subscribe());
        stopAt = Date.now() + a.seconds * 1000;
        subscribe(); // one over the limit: its error keeps the cycle going
      } else if (m.type === 'error') {
        refused++;
        const code = m.payload?.[0]?.extensions?.code ?? 'other';
        codes[code] = (codes[code] ?? 0) + 1;
        lastError = Date.now();
        if (Date.now() >= stopAt) return resolve();
        // Replace the oldest subscription, then ask for one too many again.
        ws.send(JSON.stringify({ id: String(live.shift()), type: 'complete' }));
        live.push(subscribe());
        replaced++;
        subscribe();
      }
    });
  });
  say('RESULT', { refused, codes, replaced, closed: closed ?? null });
  ws.close();
  process.exit(0);
}

void main();

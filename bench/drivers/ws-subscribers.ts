import WebSocket from 'ws';
import { nowMs, summarize } from '../lib/stats';
import { argsOf, onCommand, say } from '../lib/proc';
import { msyncLogin, msyncText } from '../lib/msync-client';

/**
 * Many WebSocket clients in one process. Mode `graphql`: each speaks graphql-transport-ws, sends
 * connection_init with its token and (optionally) one subscription. Mode `plain`: bare sockets
 * (the transport baseline). Mode `msync`: the Easemob client SDKs' protocol (a PROVISION login with
 * the token, then binary frames whose message texts carry the marker). Each frame's marker `t=<ms>;n=<msg>` gives the latency and identity.
 * Commands: `count` (how many arrived so far), `report` (report and forget what arrived), `stop` (exit).
 */
interface Args {
  url: string;
  mode: 'graphql' | 'plain' | 'msync';
  clients: { token?: string; username?: string; variables?: Record<string, unknown> }[];
  /** msync: the app's AppKey. */
  appKey?: string;
  query?: string;
  /** Upper bound of message numbers, for duplicate detection. */
  maxMessages: number;
  /** How many sockets connect at once. */
  batch?: number;
}

const MARK = /t=(\d+(?:\.\d+)?);n=(\d+)/;

async function main() {
  const a = argsOf<Args>();
  const started = Date.now();
  let latencies: number[] = [];
  let received = 0;
  /** When the last marked frame arrived (nowMs): how long a step really took to deliver. */
  let lastAt = 0;
  let duplicates = 0;
  let resubscribed = 0;
  // Numbered past maxMessages: not tracked, so a scenario that sizes it too small is told (it throws).
  let beyond = 0;
  let seen = a.clients.map(() => new Uint8Array(a.maxMessages));
  const sockets: WebSocket[] = [];
  let closedEarly = 0;

  // A socket refused with 1013 (try again later: the database was busy authenticating a thousand
  // sockets at once) is opened again shortly, as a client would, a few times.
  const open = (i: number, tries = 0): Promise<void> =>
    opening(i).catch(async (e: Error & { code?: number }) => {
      if (e.code !== 1013 || tries >= 10) throw e;
      await new Promise((r) => setTimeout(r, 250 * (tries + 1)));
      return open(i, tries + 1);
    });
  const opening = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const c = a.clients[i]!;
      const ws = new WebSocket(a.url, a.mode === 'graphql' ? 'graphql-transport-ws' : undefined, { perMessageDeflate: false });
      if (a.mode === 'msync') ws.binaryType = 'nodebuffer';
      sockets.push(ws);
      const timer = setTimeout(() => reject(new Error(`client ${i}: no ack in 60 s`)), 60_000);
      ws.on('open', () => {
        if (a.mode === 'plain') {
          clearTimeout(timer);
          resolve();
        } else if (a.mode === 'msync') ws.send(msyncLogin(a.appKey!, c.username!, c.token!));
        else ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${c.token}` } }));
      });
      ws.on('message', (data) => {
        const text = a.mode === 'msync' ? msyncText(data as Buffer, ws) : undefined;
        if (text === 'ok') {
          clearTimeout(timer);
          return resolve();
        }
        const s = a.mode === 'msync' ? (text ?? '') : data.toString();
        const m = MARK.exec(s);
        if (m) {
          const at = nowMs();
          received++;
          lastAt = at;
          latencies.push(at - Number(m[1]));
          const n = Number(m[2]);
          const row = seen[i]!;
          if (n < a.maxMessages) {
            if (row[n]) duplicates++;
            row[n] = 1;
          } else beyond++;
          return;
        }
        if (s.includes('"connection_ack"')) {
          if (a.query) ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: a.query, variables: c.variables ?? {} } }));
          clearTimeout(timer);
          resolve();
        } else if (s.includes('"error"')) {
          // A subscribe refused for now (the database busy, a rate limit) is sent again after the
          // wait the server asks for, as a client would; anything else is reported.
          const wait = /"retryAfterSeconds":(\d+)/.exec(s);
          if (a.query && wait) {
            resubscribed++;
            setTimeout(
              () => ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: a.query, variables: c.variables ?? {} } })),
              Math.min(5, Number(wait[1])) * 1000,
            );
          } else process.stderr.write(`client ${i}: ${s.slice(0, 300)}\n`);
        }
      });
      ws.on('close', (code, reason) => {
        closedEarly++;
        // Closed before its ack: say why (a limit's close code) instead of waiting out the timer.
        clearTimeout(timer);
        reject(Object.assign(new Error(`client ${i}: closed ${code} ${reason.toString()} before its ack`), { code }));
      });
      ws.on('error', (e) => reject(e));
    });

  const batch = a.batch ?? 200;
  for (let i = 0; i < a.clients.length; i += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, a.clients.length - i) }, (_, k) => open(i + k)));
  }
  const acceptSeconds = (Date.now() - started) / 1000;
  // Subscriptions start on the server after the ack; give them a moment before load begins.
  await new Promise((r) => setTimeout(r, 500));
  say('READY', { clients: a.clients.length, acceptSeconds });

  onCommand((line) => {
    if (line === 'count') say('RESULT', { received });
    else if (line === 'report') {
      // Per message: how many clients got it (for loss accounting by the orchestrator).
      const perMessage = new Uint32Array(a.maxMessages);
      for (const s of seen) for (let n = 0; n < s.length; n++) if (s[n]) perMessage[n]! += 1;
      say('RESULT', {
        received,
        duplicates,
        beyond,
        closedEarly,
        resubscribed,
        lastAt,
        latency: summarize(latencies),
        perMessage: Array.from(perMessage),
      });
      latencies = [];
      received = 0;
      lastAt = 0;
      duplicates = 0;
      beyond = 0;
      seen = a.clients.map(() => new Uint8Array(a.maxMessages));
    } else if (line === 'stop') {
      for (const ws of sockets) ws.terminate();
      setTimeout(() => process.exit(0), 100);
    }
  });
}

void main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});

import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** What the receiver does with one request: answer with a status (and body), or hold it unanswered. */
export type Reply = { status: number; body?: string; headers?: Record<string, string>; delayMs?: number } | 'hold';

/**
 * A real HTTP server on a loopback port that records every request and answers as the test says
 * (by default 200). Held requests stay open until close().
 */
export async function startReceiver(reply: (req: Received, index: number) => Reply = () => ({ status: 200 })) {
  const received: Received[] = [];
  const held: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      received.push(entry);
      const r = reply(entry, received.length - 1);
      if (r === 'hold') {
        held.push(res);
        return;
      }
      const answer = () => {
        res.writeHead(r.status, { 'content-type': 'text/plain', ...r.headers });
        res.end(r.body ?? 'ok');
      };
      if (r.delayMs) setTimeout(answer, r.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    setReply(next: typeof reply) {
      reply = next;
    },
    /** Waits until `n` requests arrived (or fails after `ms`). */
    async waitFor(n: number, ms = 15_000) {
      const deadline = Date.now() + ms;
      while (received.length < n) {
        if (Date.now() > deadline) throw new Error(`only ${received.length} of ${n} requests arrived`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return received;
    },
    async close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

import http from 'node:http';
import { argsOf, onCommand, say } from '../lib/proc';

/**
 * A webhook receiver in a process of its own: answers every POST 200 after reading its body, and
 * counts them. `count` reports `{received, duplicates}` (by Idempotency-Key when present); `reset` starts over.
 */
async function main() {
  argsOf<object>();
  let received = 0;
  let seen = new Set<string>();
  let duplicates = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      const key = req.headers['idempotency-key'];
      if (typeof key === 'string') {
        if (seen.has(key)) duplicates++;
        seen.add(key);
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  say('READY', { url: `http://127.0.0.1:${(server.address() as { port: number }).port}` });
  onCommand((line) => {
    if (line === 'count') say('RESULT', { received, duplicates });
    if (line === 'reset') {
      received = 0;
      duplicates = 0;
      seen = new Set();
    }
  });
}

void main();

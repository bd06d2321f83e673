import { WebSocketServer, type WebSocket } from 'ws';
import { servePacedRuns } from '../lib/paced';
import { argsOf, say } from '../lib/proc';

/**
 * The transport ceiling: a plain `ws` server that broadcasts a frame shaped like our messageAdded
 * payload to every client. Command `run <rate> <seconds> <firstN>` broadcasts at that rate; it
 * answers `RESULT` when done; `cpu` answers the process's CPU time so far.
 */
async function main() {
  const { frameBytes } = argsOf<{ frameBytes: number }>();
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  const clients = new Set<WebSocket>();
  wss.on('connection', (ws) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
  });
  await new Promise((r) => wss.once('listening', r));
  const port = (wss.address() as { port: number }).port;
  say('READY', { url: `ws://127.0.0.1:${port}` });
  servePacedRuns((n, due) => {
    const head = `{"id":"1","type":"next","payload":{"data":{"messageAdded":{"text":"t=${due.toFixed(3)};n=${n}","pad":"`;
    const frame = head + 'x'.repeat(Math.max(0, frameBytes - head.length - 6)) + '"}}}}';
    for (const ws of clients) ws.send(frame);
  });
}

void main();

import { WebSocketServer, type WebSocket } from 'ws';
import { nowMs } from '../lib/stats';
import { argsOf, onCommand, say } from '../lib/proc';

/**
 * The transport ceiling: a plain `ws` server that broadcasts a frame shaped like our messageAdded
 * payload to every client. Command `run <rate> <seconds> <firstN>` broadcasts at that rate; it
 * answers `RESULT` when done.
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
  onCommand(async (line) => {
    const [cmd, rate, seconds, firstN] = line.split(' ');
    if (cmd !== 'run') return;
    const total = Math.round(Number(rate) * Number(seconds));
    const start = nowMs() + 50;
    for (let k = 0; k < total; k++) {
      const wait = start + (k * 1000) / Number(rate) - nowMs();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const head = `{"id":"1","type":"next","payload":{"data":{"messageAdded":{"text":"t=${nowMs().toFixed(3)};n=${Number(firstN) + k}","pad":"`;
      const frame = head + 'x'.repeat(Math.max(0, frameBytes - head.length - 6)) + '"}}}}';
      for (const ws of clients) ws.send(frame);
    }
    say('RESULT', { sent: total });
  });
}

void main();

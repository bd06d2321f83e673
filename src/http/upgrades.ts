import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import type { Drain } from './drain';

/**
 * WebSocket upgrades of one HTTP server, routed by path. `ws` attached to a server answers 400 to
 * any path but its own, so two protocols (graphql-transport-ws at `/graphql`, an adapter's realtime
 * protocol at its own path) cannot each attach one; they register a `noServer` WebSocketServer here instead.
 * During a shutdown's drain every upgrade gets a readable 503 with Retry-After; an unknown path 404.
 */
export interface UpgradeRoutes {
  add(path: string, wss: WebSocketServer): void;
}

const routers = new WeakMap<Server, UpgradeRoutes>();

function refuse(socket: Duplex, status: number, reason: string, headers: Record<string, string> = {}) {
  if (!socket.writable) return void socket.destroy();
  const lines = [
    `HTTP/1.1 ${status} ${reason}`,
    'Connection: close',
    'Content-Type: text/plain',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${reason}`);
}

/** The server's upgrade routes (made on first use; one per server). */
export function upgradeRoutes(server: Server, drain?: Pick<Drain, 'draining' | 'retryAfterSeconds'>): UpgradeRoutes {
  let routes = routers.get(server);
  if (routes) return routes;
  const byPath = new Map<string, WebSocketServer>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '') || '/';
    const wss = byPath.get(path);
    if (!wss) return refuse(socket, 404, 'Not Found');
    if (drain?.draining) return refuse(socket, 503, 'Service Unavailable', { 'Retry-After': String(drain.retryAfterSeconds) });
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  routes = { add: (path, wss) => void byPath.set(path.replace(/\/+$/, '') || '/', wss) };
  routers.set(server, routes);
  return routes;
}

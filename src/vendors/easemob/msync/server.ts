import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import { upgradeRoutes } from '../../../http/upgrades';
import { gauges, recordRefusal } from '../../../observability/metrics';
import type { KitDeps } from '../../kit/deps';
import { createTokenBuckets } from '../../kit/token-bucket';
import type { MsyncSettings } from '../config';
import type { EasemobCredentials } from '../credentials';
import { createDeviceCount, type MsyncDeps } from './deps';
import { MsyncSession } from './session';

const PING_MS = 30_000;

/** One per process: sockets per user and sends per user count across both mounts (the prefix and EASEMOB_PORT). */
const shared = new WeakMap<MsyncSettings, Pick<MsyncDeps, 'sends' | 'devices'>>();

/**
 * The client SDKs' realtime channel (msync over WebSocket, binary protobuf frames) at `<prefix>/ws`
 * (what an app passes the SDK as `url`; `/websocket`, the SDK's DNS-discovered form, too). Frames
 * larger than EASEMOB_MSYNC_MAX_FRAME_BYTES close the socket (1009) before anything decodes them; a
 * socket sending faster than EASEMOB_MSYNC_FRAMES_PER_SECOND is not read until it may; one that has
 * not logged in within EASEMOB_MSYNC_AUTH_TIMEOUT_MS is closed; dead peers are dropped by pings.
 */
export function mountMsync(fastify: FastifyInstance, kit: KitDeps, kind: EasemobCredentials, settings: MsyncSettings) {
  let counts = shared.get(settings);
  if (!counts) {
    counts = { sends: createTokenBuckets(settings.sendsPerSecond || 1e9), devices: createDeviceCount(settings.socketsPerUser) };
    shared.set(settings, counts);
  }
  const log = fastify.log.child({ surface: 'easemob-msync' });
  const deps: MsyncDeps = { kit, kind, settings, log, ...counts };
  const frames = createTokenBuckets(settings.framesPerSecond || 1e9);
  const wss = new WebSocketServer({ noServer: true, maxPayload: settings.maxFrameBytes, perMessageDeflate: false });
  const routes = upgradeRoutes(fastify.server);
  for (const path of ['/ws', '/websocket']) routes.add(`${fastify.prefix}${path}`, wss);
  const sessions = new Map<WebSocket, MsyncSession>();
  const alive = new WeakSet<WebSocket>();
  const unmetered = gauges.adapterSockets(() => sessions.size);

  wss.on('connection', (socket, request) => {
    const address = request.socket.remoteAddress ?? '';
    const session = new MsyncSession(deps, socket, address);
    const key = crypto.randomUUID();
    sessions.set(socket, session);
    alive.add(socket);
    socket.on('pong', () => alive.add(socket));
    socket.on('error', () => socket.terminate());
    socket.on('close', () => {
      sessions.delete(socket);
      session.closed();
    });
    socket.on('message', (data, isBinary) => {
      if (!isBinary) return session.close(1003, 'msync frames are binary');
      const taken = frames.takeNow(key);
      if (!taken.ok) {
        recordRefusal('msync_frames');
        // Over its frame budget: the socket is not read until the budget refills (this frame still counts).
        socket.pause();
        setTimeout(() => socket.resume(), taken.retryAfterSeconds * 1000).unref();
      }
      session.receive(Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer));
    });
  });

  const ping = setInterval(() => {
    for (const socket of sessions.keys()) {
      if (!alive.has(socket)) {
        socket.terminate();
        continue;
      }
      alive.delete(socket);
      socket.ping();
    }
  }, PING_MS).unref();

  fastify.addHook('onClose', async () => {
    clearInterval(ping);
    unmetered();
    for (const socket of sessions.keys()) socket.close(1001, 'going away');
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
}

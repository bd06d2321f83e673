import net from 'node:net';
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../domain/errors';

/**
 * Graceful shutdown for HTTP/1.1 keep-alive. Closing an idle keep-alive socket races with a
 * request the client is sending on it at that moment (the client sees ECONNRESET), and HTTP/1.1
 * has no way to tell a client "do not reuse this connection" other than on a response. So a
 * shutdown first drains: for a while every request (new or on a kept-alive connection) is answered
 * 503 + `Retry-After` + `Connection: close` in the dialect of its surface, in-flight ones finish
 * with `Connection: close`, and WebSocket upgrades are refused; `/readyz` tells a load balancer to
 * stop routing here. Then the listeners stop accepting while the connections already accepted get
 * their answer too (Node's own server.close() would destroy a just-accepted socket whose request
 * has not been read yet), and only sockets left idle are closed.
 */
export interface Drain {
  /** True once the shutdown has begun. */
  readonly draining: boolean;
  readonly retryAfterSeconds: number;
  /** Registers a server whose connections `settle` waits for. */
  track(server: Server): void;
  begin(): void;
  /**
   * Stops every listener without touching open connections, then waits until each has closed or
   * has been idle for `quietMs` (at most `maxMs` in all).
   */
  settle(quietMs: number, maxMs: number): Promise<void>;
}

export function createDrain(retryAfterSeconds: number): Drain {
  let draining = false;
  const servers: Server[] = [];
  // Open sockets: undefined while a request is in flight, else since when the socket is idle.
  const idleSince = new Map<net.Socket, number | undefined>();
  return {
    get draining() {
      return draining;
    },
    retryAfterSeconds,
    track(server) {
      servers.push(server);
      server.on('connection', (socket: net.Socket) => {
        idleSince.set(socket, Date.now());
        socket.once('close', () => idleSince.delete(socket));
      });
      server.on('request', (req, res) => {
        const socket = req.socket;
        idleSince.set(socket, undefined);
        res.once('close', () => {
          if (!socket.destroyed) idleSince.set(socket, Date.now());
        });
      });
    },
    begin() {
      draining = true;
    },
    async settle(quietMs, maxMs) {
      draining = true;
      // net's close, not http's: it stops accepting without reaping idle (or just-accepted) sockets.
      for (const s of servers) if (s.listening) net.Server.prototype.close.call(s);
      const deadline = Date.now() + maxMs;
      while (Date.now() < deadline) {
        const now = Date.now();
        const settled = [...idleSince.values()].every((since) => since !== undefined && now - since >= quietMs);
        if (settled) return;
        await sleep(Math.min(20, quietMs));
      }
    },
  };
}

/** Hooks on a root Fastify instance (inherited by every plugin registered after it). */
export function installDrainHooks(fastify: FastifyInstance, drain: Drain) {
  drain.track(fastify.server);
  // Callback hooks, not async ones: they run on every request of every port.
  fastify.addHook('onRequest', (_request, _reply, done) => {
    if (!drain.draining) return done();
    done(
      new DomainError('UNAVAILABLE', 'the server is shutting down; retry later', {
        reason: 'shutting_down',
        retryAfterSeconds: drain.retryAfterSeconds,
      }),
    );
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (drain.draining && request.raw.httpVersionMajor === 1) void reply.header('connection', 'close');
    done(null, payload);
  });
}

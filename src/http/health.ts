import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { pingDatabase } from '../db/readiness';
import type { EventBus } from '../events/bus';

/**
 * /livez: the process answers. /readyz: the database answers too (503 otherwise); with Redis, its
 * state is reported, and a Redis that is away makes the instance `degraded` (still 200: it serves
 * its own sockets) unless REDIS_REQUIRED.
 */
export function registerHealthRoutes(app: FastifyInstance, connection: Connection, opts: { events: EventBus; redisRequired: boolean }) {
  app.get('/livez', { logLevel: 'warn' }, async () => ({ status: 'ok' }));
  app.get('/readyz', { logLevel: 'warn' }, async (_req, reply) => {
    const bus = opts.events.status();
    const redis = bus === 'in-process' ? {} : { redis: bus };
    if (!(await pingDatabase(connection, 2_000))) return reply.status(503).send({ status: 'unavailable', database: 'down', ...redis });
    if (bus === 'down') return reply.status(opts.redisRequired ? 503 : 200).send({ status: 'degraded', database: 'up', ...redis });
    return { status: 'ready', database: 'up', ...redis };
  });
}

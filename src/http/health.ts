import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { pingDatabase } from '../db/database';

/** /livez: the process answers. /readyz: the database answers too (503 otherwise). */
export function registerHealthRoutes(app: FastifyInstance, connection: Connection) {
  app.get('/livez', { logLevel: 'warn' }, async () => ({ status: 'ok' }));
  app.get('/readyz', { logLevel: 'warn' }, async (_req, reply) => {
    if (await pingDatabase(connection, 2_000)) return { status: 'ready', database: 'up' };
    return reply.status(503).send({ status: 'unavailable', database: 'down' });
  });
}

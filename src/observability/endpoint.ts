import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { registry } from './metrics';

const sameSecret = (given: string, expected: string) => {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
};

/**
 * `GET /metrics` in Prometheus's text format. With a token, only `Authorization: Bearer <token>`
 * reads it (401 otherwise, without saying more); without one, the port itself is the protection
 * (METRICS_PORT, bound where only Prometheus reaches).
 */
export function registerMetricsRoute(fastify: FastifyInstance, token: string | undefined): void {
  fastify.get('/metrics', { logLevel: 'warn', config: { surface: 'system' } }, async (request, reply) => {
    if (token !== undefined) {
      const given = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
      if (!sameSecret(given, token))
        return reply.status(401).header('www-authenticate', 'Bearer realm="metrics"').send({ error: 'UNAUTHENTICATED' });
    }
    const text = await registry.metrics();
    return reply.type(registry.contentType).header('cache-control', 'no-store').send(text);
  });
}

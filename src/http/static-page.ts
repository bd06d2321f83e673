import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

/** The project root, from src/http (ts-jest) or dist/src/http (the build). */
const ROOT = path.resolve(__dirname, __dirname.split(path.sep).includes('dist') ? '../../..' : '../..');

/** Same-origin only, no inline code, no framing: the pages served this way hold tokens. */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The headers every page file gets (and any JSON a page reads beside them). */
export const PAGE_HEADERS = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/**
 * Serves a web page's files (paths relative to the project root, built by `npm run build`, no
 * CDN), read once at start-up; a missing build answers 503 rather than a broken page. `surface`
 * labels the routes in the metrics.
 */
export function servePageFiles(
  fastify: FastifyInstance,
  files: Record<string, { file: string; type: string }>,
  o: { surface: string; name: string },
): void {
  for (const [url, { file, type }] of Object.entries(files)) {
    const full = path.join(ROOT, file);
    const content = fs.existsSync(full) ? fs.readFileSync(full) : undefined;
    fastify.get(url, { config: { surface: o.surface } }, async (_req, reply) => {
      void reply.headers(PAGE_HEADERS);
      if (!content) return reply.status(503).type('text/plain; charset=utf-8').send(`${o.name} is not built: run npm run build`);
      return reply.type(type).send(content);
    });
  }
}

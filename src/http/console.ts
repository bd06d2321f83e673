import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

/** The project root, from src/ (ts-jest) or dist/src/ (the build). */
const ROOT = path.resolve(__dirname, __dirname.split(path.sep).includes('dist') ? '../../..' : '../..');

/** Same-origin only, no inline code, no framing: the page holds the operator token. */
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

const FILES: Record<string, { file: string; type: string }> = {
  '/console': { file: 'web/console/index.html', type: 'text/html; charset=utf-8' },
  '/console/console.css': { file: 'web/console/console.css', type: 'text/css; charset=utf-8' },
  '/console/uplot.css': { file: 'dist/web/console/uplot.css', type: 'text/css; charset=utf-8' },
  '/console/console.js': { file: 'dist/web/console/console.js', type: 'text/javascript; charset=utf-8' },
};

/**
 * The operator console (web/console, built by `npm run build`): static files that hold nothing
 * secret. Every figure and action comes from GraphQL with the operator token the operator types
 * in, so the page itself needs no protection; what it shows does. Read once at start-up.
 */
export function registerConsole(fastify: FastifyInstance): void {
  const headers = {
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  };
  for (const [url, { file, type }] of Object.entries(FILES)) {
    const full = path.join(ROOT, file);
    const content = fs.existsSync(full) ? fs.readFileSync(full) : undefined;
    fastify.get(url, { config: { surface: 'console' } }, async (_req, reply) => {
      void reply.headers(headers);
      if (!content) return reply.status(503).type('text/plain; charset=utf-8').send('the console is not built: run npm run build');
      return reply.type(type).send(content);
    });
  }
}

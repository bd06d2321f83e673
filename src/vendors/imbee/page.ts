import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { CHAT_PAGE_OPERATIONS } from '../../web-access/page-operations';

/** The project root, from src/ (ts-jest) or dist/src/ (the build). */
const ROOT = path.resolve(__dirname, __dirname.split(path.sep).includes('dist') ? '../../../..' : '../../..');

/** Same-origin only, no inline code, no framing: the page holds a session token. */
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
  '/chat': { file: 'web/imbee-chat/index.html', type: 'text/html; charset=utf-8' },
  '/chat.css': { file: 'web/imbee-chat/chat.css', type: 'text/css; charset=utf-8' },
  '/chat.js': { file: 'dist/web/imbee-chat/chat.js', type: 'text/javascript; charset=utf-8' },
};

/**
 * The web chat page behind Imbee links (static files, built by `npm run build`, no CDN). Read
 * once at start-up; a missing build answers 503 rather than a broken page.
 */
export function registerChatPage(fastify: FastifyInstance) {
  const headers = {
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  };
  // Counted as the `web` surface in the metrics, apart from the adapter's API.
  const web = { config: { surface: 'web' } };
  fastify.get('/chat/operations.json', web, async (_req, reply) =>
    reply.headers(headers).type('application/json').send(CHAT_PAGE_OPERATIONS),
  );
  for (const [url, { file, type }] of Object.entries(FILES)) {
    const full = path.join(ROOT, file);
    const content = fs.existsSync(full) ? fs.readFileSync(full) : undefined;
    fastify.get(url, web, async (_req, reply) => {
      void reply.headers(headers);
      if (!content) return reply.status(503).type('text/plain; charset=utf-8').send('the chat page is not built: run npm run build');
      return reply.type(type).send(content);
    });
  }
}

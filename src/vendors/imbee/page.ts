import type { FastifyInstance } from 'fastify';
import { PAGE_HEADERS, servePageFiles } from '../../http/static-page';
import { CHAT_PAGE_OPERATIONS } from '../../web-access/page-operations';

const FILES: Record<string, { file: string; type: string }> = {
  '/chat': { file: 'web/imbee-chat/index.html', type: 'text/html; charset=utf-8' },
  '/chat.css': { file: 'web/imbee-chat/chat.css', type: 'text/css; charset=utf-8' },
  '/chat.js': { file: 'dist/web/imbee-chat/chat.js', type: 'text/javascript; charset=utf-8' },
};

/**
 * The web chat page behind Imbee links (src/http/static-page.ts serves its files), counted as the
 * `web` surface in the metrics, apart from the adapter's API.
 */
export function registerChatPage(fastify: FastifyInstance) {
  fastify.get('/chat/operations.json', { config: { surface: 'web' } }, async (_req, reply) =>
    reply.headers(PAGE_HEADERS).type('application/json').send(CHAT_PAGE_OPERATIONS),
  );
  servePageFiles(fastify, FILES, { surface: 'web', name: 'the chat page' });
}

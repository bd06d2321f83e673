import type { FastifyInstance } from 'fastify';
import { servePageFiles } from './static-page';

const FILES: Record<string, { file: string; type: string }> = {
  '/console': { file: 'web/console/index.html', type: 'text/html; charset=utf-8' },
  '/console/console.css': { file: 'web/console/console.css', type: 'text/css; charset=utf-8' },
  '/console/uplot.css': { file: 'dist/web/console/uplot.css', type: 'text/css; charset=utf-8' },
  '/console/console.js': { file: 'dist/web/console/console.js', type: 'text/javascript; charset=utf-8' },
};

/**
 * The operator console (web/console): static files that hold nothing secret. Every figure and
 * action comes from GraphQL with the operator token the operator types in, so the page itself
 * needs no protection; what it shows does.
 */
export function registerConsole(fastify: FastifyInstance): void {
  servePageFiles(fastify, FILES, { surface: 'console', name: 'the console' });
}

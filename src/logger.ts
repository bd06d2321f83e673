import pino, { type Logger } from 'pino';

/** JSON logs to stderr, so stdout stays free for machine-readable output (CLI, demo credentials). */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'imfacade' } }, pino.destination(2));
}

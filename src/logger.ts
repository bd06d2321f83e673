import pino, { type Logger } from 'pino';
import { traceFields } from './observability/tracing';

/** JSON logs to stderr, so stdout stays free for machine-readable output (CLI, demo credentials). */
export function createLogger(level: string): Logger {
  // Each line carries the trace and span ids of the request it was written for (when tracing).
  return pino({ level, base: { service: 'imfacade' }, mixin: traceFields }, pino.destination(2));
}

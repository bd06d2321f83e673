import pino, { type DestinationStream, type Logger } from 'pino';
import { traceFields } from './observability/tracing';

/** JSON logs to stderr, so stdout stays free for machine-readable output (CLI, demo credentials). */
export function createLogger(level: string, destination: DestinationStream = pino.destination(2)): Logger {
  // Each line carries the trace and span ids of the request it was written for (when tracing).
  return pino({ level, base: { service: 'imfacade' }, mixin: traceFields }, destination);
}

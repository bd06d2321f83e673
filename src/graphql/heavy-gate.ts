import { recordRefusal } from '../observability/metrics';
import { DomainError } from '../domain/errors';

/** Operations at or above `cost` run at most `concurrency` at a time; `queue` more may wait. */
export interface HeavyLimits {
  cost: number;
  concurrency: number;
  queue: number;
}

export type Release = () => void;

/**
 * A bulkhead for expensive operations: cheap ones never wait, expensive ones take turns, so a
 * few clients sending the heaviest queries the limits allow cannot take every core and database
 * connection from everyone else. When the waiting line is full the operation is refused at once
 * (UNAVAILABLE, 503 with Retry-After): waiting longer would only hold more sockets and memory.
 * Written by hand: the common semaphore packages queue without bound and cannot refuse.
 */
export function createHeavyGate(limits: HeavyLimits) {
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  const once = (): Release => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      release();
    };
  };
  return {
    /** Undefined for a cheap operation; otherwise resolves, once it may run, to its release. */
    async enter(cost: number | undefined): Promise<Release | undefined> {
      if (cost === undefined || cost < limits.cost) return undefined;
      if (running < limits.concurrency) {
        running++;
        return once();
      }
      if (waiting.length >= limits.queue) {
        recordRefusal('heavy_queue');
        throw new DomainError('UNAVAILABLE', 'the server is busy with expensive queries; retry later', {
          reason: 'busy',
          retryAfterSeconds: 1,
        });
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
      return once();
    },
  };
}

export type HeavyGate = ReturnType<typeof createHeavyGate>;

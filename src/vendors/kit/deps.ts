import type { SurfacePort as Services } from '../../ports/surface';
import type { AdapterLimits } from './limits';

/** What the kit mounts a dialect with: the checked port, the limits and the deadlines. */
export interface KitDeps {
  services: Services;
  limits: AdapterLimits;
  /** Retry-After of answers given while the database is unreachable. */
  retryAfterSeconds: number;
  /**
   * The longest a request is answered after (DB_TIMEOUT_MS + 0.75 s, inside the promised + 1 s): past it the caller gets the
   * dialect's 503 + Retry-After, whatever the request still waits for (an overloaded database's
   * connection pool, a queue); the work it started finishes or fails on its own, and sends stay
   * idempotent. 0: no deadline.
   */
  deadlineMs?: number;
}

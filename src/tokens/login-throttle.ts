import { recordRefusal } from '../observability/metrics';
import { DomainError } from '../domain/errors';

/** Failed logins tolerated before back-off starts, and the back-off's bounds. */
export interface LoginThrottleSettings {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

interface Entry {
  failures: number;
  blockedUntil: number;
  lastAt: number;
}

/**
 * Password guessing, slowed down per account (app + username) and per client address: after
 * `freeFailures` failures each further one doubles the wait (up to `maxDelayMs`); a success clears
 * the account's count. A throttled attempt is refused before any password hash is computed.
 * In process memory here (entries expire after a quiet `maxDelayMs`, the maps are bounded); shared
 * by every instance through Redis in redis-login-throttle.ts, with the same rules.
 */
export interface LoginThrottle {
  /** Throws RATE_LIMITED (with Retry-After) while the account or the address must wait. */
  before(account: string, address: string | undefined): Promise<void>;
  failed(account: string, address: string | undefined): void;
  succeeded(account: string): void;
}

export const throttled = (waitMs: number) => (
  recordRefusal('login_backoff'),
  new DomainError('RATE_LIMITED', 'too many failed logins; try again later', {
    retryAfterSeconds: Math.ceil(waitMs / 1000),
    reason: 'login_throttled',
  })
);

/** Addresses share one budget among many accounts (NAT, offices): they get more free failures. */
export const ADDRESS_FREE_FACTOR = 4;

export function createLoginThrottle(s: LoginThrottleSettings): LoginThrottle & {
  beforeNow(account: string, address: string | undefined, now?: number): void;
  failed(account: string, address: string | undefined, now?: number): void;
} {
  const maps = { account: new Map<string, Entry>(), address: new Map<string, Entry>() };
  const MAX_ENTRIES = 100_000;
  // Addresses share one budget among many accounts (NAT, offices): they get more free failures.
  const free = { account: s.freeFailures, address: s.freeFailures * ADDRESS_FREE_FACTOR };

  // An entry is forgotten once it is neither blocking nor recent.
  const fresh = (e: Entry | undefined, now: number) => (e && (e.blockedUntil > now || now - e.lastAt < s.maxDelayMs) ? e : undefined);

  function check(kind: keyof typeof maps, key: string, now: number) {
    const e = fresh(maps[kind].get(key), now);
    if (e && e.blockedUntil > now) throw throttled(e.blockedUntil - now);
  }

  function fail(kind: keyof typeof maps, key: string, now: number) {
    const map = maps[kind];
    const e = fresh(map.get(key), now) ?? { failures: 0, blockedUntil: 0, lastAt: now };
    e.failures++;
    e.lastAt = now;
    const over = e.failures - free[kind];
    if (over > 0) e.blockedUntil = now + Math.min(s.maxDelayMs, s.baseDelayMs * 2 ** Math.min(over - 1, 30));
    if (!map.has(key) && map.size >= MAX_ENTRIES) map.delete(map.keys().next().value!);
    map.set(key, e);
  }

  /** `before`, at a given time and at once (tests, and the Redis throttle's fallback). */
  function beforeNow(account: string, address: string | undefined, now = Date.now()) {
    check('account', account, now);
    if (address) check('address', address, now);
  }

  return {
    beforeNow,
    before: async (account: string, address: string | undefined) => beforeNow(account, address),
    failed(account: string, address: string | undefined, now: number = Date.now()) {
      fail('account', account, now);
      if (address) fail('address', address, now);
    },
    succeeded(account: string) {
      maps.account.delete(account);
    },
  };
}

/**
 * Token buckets per key (an app): `perSecond` requests a second on average, bursts up to one
 * second's worth. In memory, per instance: each instance enforces the limit on its own traffic.
 */
export interface RateLimiter {
  /** Takes one request; when refused, says how many whole seconds to wait. */
  take(key: string): { ok: true } | { ok: false; retryAfterSeconds: number };
}

export function createRateLimiter(perSecond: number, now: () => number = Date.now): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key) {
      if (perSecond <= 0) return { ok: true };
      const t = now();
      const b = buckets.get(key) ?? { tokens: perSecond, at: t };
      b.tokens = Math.min(perSecond, b.tokens + ((t - b.at) / 1000) * perSecond);
      b.at = t;
      buckets.set(key, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / perSecond)) };
    },
  };
}

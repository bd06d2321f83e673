/**
 * Token buckets per key: `perSecond` requests a second on average, bursts up to one second's
 * worth. In memory, per instance: each instance enforces the limit on its own traffic.
 */
export interface TokenBuckets {
  /** Takes one request; when refused, says how many whole seconds to wait. */
  take(key: string): { ok: true } | { ok: false; retryAfterSeconds: number };
  /** Gives back one request taken in advance (up to the burst). */
  refund(key: string): void;
}

const MAX_KEYS = 100_000;

export function createTokenBuckets(perSecond: number, now: () => number = Date.now): TokenBuckets {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refill = (key: string) => {
    const t = now();
    let b = buckets.get(key);
    if (!b) {
      // Full buckets are the default: forgetting the oldest keys past the bound only forgives them.
      if (buckets.size >= MAX_KEYS) buckets.delete(buckets.keys().next().value!);
      buckets.set(key, (b = { tokens: perSecond, at: t }));
    }
    b.tokens = Math.min(perSecond, b.tokens + ((t - b.at) / 1000) * perSecond);
    b.at = t;
    return b;
  };
  return {
    take(key) {
      if (perSecond <= 0) return { ok: true };
      const b = refill(key);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / perSecond)) };
    },
    refund(key) {
      if (perSecond <= 0 || !buckets.has(key)) return;
      const b = refill(key);
      b.tokens = Math.min(perSecond, b.tokens + 1);
    },
  };
}

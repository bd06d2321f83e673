export type BucketDecision = { ok: true } | { ok: false; retryAfterSeconds: number; failing?: boolean };

/**
 * Token buckets per key: `perSecond` requests a second on average, bursts up to one second's
 * worth. In memory, per instance (here), or shared by every instance through Redis
 * (redis-token-buckets.ts, the same rules).
 */
export interface TokenBuckets {
  /**
   * Takes one request; when refused, says how many whole seconds to wait, and whether the key
   * failed to authenticate within the last minute (its refusals may be answered slowly).
   */
  take(key: string): Promise<BucketDecision>;
  /** Gives back one request taken in advance (up to the burst). */
  refund(key: string): void;
  /** A failed authentication: it costs `failureCost` requests in all (the one taken, and more), down to a bounded debt. */
  failed(key: string): void;
}

/** A key's debt is bounded: however long it misbehaved, it waits at most this long once it stops. */
export const MAX_DEBT_SECONDS = 60;

const MAX_KEYS = 100_000;
/** How long after a failed authentication a key counts as failing. */
export const FAILING_MS = 60_000;

export interface BucketOptions {
  failureCost?: number;
  burst?: number;
  now?: () => number;
}

export function createTokenBuckets(perSecond: number, opts: BucketOptions = {}): TokenBuckets & { takeNow(key: string): BucketDecision } {
  const now = opts.now ?? Date.now;
  const burst = opts.burst ?? perSecond;
  const extra = (opts.failureCost ?? 1) - 1;
  const buckets = new Map<string, { tokens: number; at: number; failedAt?: number }>();
  const refill = (key: string) => {
    const t = now();
    let b = buckets.get(key);
    if (!b) {
      // Full buckets are the default: forgetting the oldest keys past the bound only forgives them.
      if (buckets.size >= MAX_KEYS) buckets.delete(buckets.keys().next().value!);
      buckets.set(key, (b = { tokens: burst, at: t }));
    }
    b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * perSecond);
    b.at = t;
    return b;
  };
  const takeNow = (key: string): BucketDecision => {
    if (perSecond <= 0) return { ok: true };
    const b = refill(key);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return {
      ok: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / perSecond)),
      failing: b.failedAt !== undefined && now() - b.failedAt < FAILING_MS,
    };
  };
  return {
    takeNow,
    take: async (key) => takeNow(key),
    failed(key) {
      if (perSecond <= 0) return;
      const b = refill(key);
      b.failedAt = b.at;
      b.tokens = Math.max(-perSecond * MAX_DEBT_SECONDS, b.tokens - extra);
    },
    refund(key) {
      if (perSecond <= 0 || !buckets.has(key)) return;
      const b = refill(key);
      b.tokens = Math.min(burst, b.tokens + 1);
    },
  };
}

/**
 * One WebSocket's subscribe budget: `burst` subscribes at once (a client opening all it needs on
 * connect), then `perSecond`. Subscription setup costs the server a membership check and a
 * registration, so a client replacing its subscriptions in a loop is held to a slow pace even
 * below its principal's GraphQL budget. 0 = unlimited.
 */
export function createSocketBudget(perSecond: number, burst: number, now: () => number = Date.now) {
  let tokens = burst;
  let at = now();
  return {
    take(): { ok: true } | { ok: false; retryAfterSeconds: number } {
      if (perSecond <= 0) return { ok: true };
      const t = now();
      tokens = Math.min(burst, tokens + ((t - at) / 1000) * perSecond);
      at = t;
      if (tokens >= 1) {
        tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perSecond)) };
    },
  };
}

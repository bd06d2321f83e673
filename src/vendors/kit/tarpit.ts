import { recordRefusal } from '../../observability/metrics';

/** Refusals held before they are answered, at most `maxHeld` at once (0: answer at once). */
export interface Tarpit {
  /** Waits `seconds` (at most MAX_HOLD_SECONDS) when there is room; resolves at once otherwise. */
  hold(seconds: number): Promise<void>;
}

const MAX_HOLD_SECONDS = 2;

/**
 * A client refused by its rate limit within a minute of a failed authentication (a token scanner)
 * gets its 429 late: each of its connections then makes about one request per hold instead of thousands a
 * second, which costs the server a timer and an idle socket instead of a core. Bounded, so that
 * held requests cannot pile up without limit.
 */
export function createTarpit(maxHeld: number): Tarpit {
  let held = 0;
  return {
    async hold(seconds) {
      if (held >= maxHeld || seconds <= 0) return;
      recordRefusal('tarpit');
      held++;
      try {
        await new Promise((r) => setTimeout(r, Math.min(seconds, MAX_HOLD_SECONDS) * 1000).unref());
      } finally {
        held--;
      }
    },
  };
}

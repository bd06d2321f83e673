/**
 * Publishes each conversation's messages in seq order. Concurrent sends finish in any order;
 * without this, a subscriber that sees seq 7 before seq 6 must read the gap from the database,
 * and in a room every subscriber does so at once. A message waits for its predecessors of this
 * process at most `holdMs` (the predecessor may belong to another instance, or its send failed
 * after storing); subscribers still fill any gap that remains (messages/stream.ts).
 */
export function createSequencer(holdMs = 500) {
  const lanes = new Map<string, { next: number; held: Map<number, () => void>; timer?: NodeJS.Timeout; touched: number }>();

  function drain(key: string) {
    const lane = lanes.get(key)!;
    for (let run = lane.held.get(lane.next); run; run = lane.held.get(lane.next)) {
      lane.held.delete(lane.next);
      lane.next++;
      run();
    }
    if (lane.held.size === 0 && lane.timer) {
      clearTimeout(lane.timer);
      lane.timer = undefined;
    }
  }

  /** Publishes everything held, lowest seq first, and moves past the gap. */
  function release(key: string) {
    const lane = lanes.get(key);
    if (!lane) return;
    lane.timer = undefined;
    const seqs = [...lane.held.keys()].sort((a, b) => a - b);
    if (seqs.length) lane.next = seqs[0]!;
    drain(key);
  }

  return {
    /** A message of the conversation was published (by any instance): nothing waits for it any longer. */
    seen(conversationId: string, seq: number) {
      const lane = lanes.get(conversationId);
      if (!lane || seq < lane.next || lane.held.has(seq)) return;
      lane.held.set(seq, () => undefined);
      drain(conversationId);
    },

    /** Runs `publish` for `seq` once every lower seq seen here has been published (or held too long). */
    publish(conversationId: string, seq: number, publish: () => void) {
      let lane = lanes.get(conversationId);
      if (!lane || seq < lane.next || (lane.held.size === 0 && Date.now() - lane.touched > holdMs && seq !== lane.next)) {
        // First message seen here, a late one, or a quiet lane: nothing to wait for.
        publish();
        if (!lane) lanes.set(conversationId, (lane = { next: seq + 1, held: new Map(), touched: Date.now() }));
        else if (seq >= lane.next) lane.next = seq + 1;
        lane.touched = Date.now();
        return;
      }
      lane.touched = Date.now();
      lane.held.set(seq, publish);
      drain(conversationId);
      if (lane.held.size && !lane.timer) {
        lane.timer = setTimeout(() => release(conversationId), holdMs);
        lane.timer.unref();
      }
      // Lanes of quiet conversations are dropped now and then to bound memory.
      if (lanes.size > 10_000) for (const [k, l] of lanes) if (!l.held.size && Date.now() - l.touched > 60_000) lanes.delete(k);
    },
  };
}

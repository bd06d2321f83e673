import { unavailable } from '../domain/errors';

/**
 * Runs tasks one at a time per key, in call order. Sends into one conversation on one instance
 * take their seqs one after another: concurrent inserts at the same next seq would all but one
 * lose the race on the unique index and pay a re-read each (measured: 200 interleaved sends took
 * 14 s that way), while one at a time each starts from the seq its predecessor stored.
 *
 * A task waits for its predecessors at most `maxWaitMs` (the database deadline): when the
 * database is too slow, a queue of sends would otherwise make the last one wait for all of them
 * (the soak saw requests unanswered after 30 s). It is then refused as UNAVAILABLE (503, retried
 * by the client with its clientMessageId), and the queue behind it moves on.
 */
export function createKeyedSerial(maxWaitMs = 0) {
  const tails = new Map<string, Promise<unknown>>();
  return function serial<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = tails.get(key) ?? Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const waited =
      maxWaitMs > 0
        ? Promise.race([before.then(() => true), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), maxWaitMs)))])
        : before.then(() => true);
    const run = waited.then((inTurn) => {
      clearTimeout(timer);
      if (!inTurn) throw unavailable('the conversation is busy; retry later', 1);
      return task();
    });
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => tails.get(key) === tail && tails.delete(key));
    return run;
  };
}

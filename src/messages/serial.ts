/**
 * Runs tasks one at a time per key, in call order. Sends into one conversation on one instance
 * take their seqs one after another: concurrent inserts at the same next seq would all but one
 * lose the race on the unique index and pay a re-read each (measured: 200 interleaved sends took
 * 14 s that way), while one at a time each starts from the seq its predecessor stored.
 */
export function createKeyedSerial() {
  const tails = new Map<string, Promise<unknown>>();
  return function serial<T>(key: string, task: () => Promise<T>): Promise<T> {
    const run = (tails.get(key) ?? Promise.resolve()).then(task);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => tails.get(key) === tail && tails.delete(key));
    return run;
  };
}

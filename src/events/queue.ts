/** An unbounded push queue read as an async iterator; `end()` drops what is queued, `finish()` ends after it. */
export function createEventQueue<T>() {
  const items: T[] = [];
  let waiting: ((r: IteratorResult<T>) => void) | undefined;
  let ended = false;
  const iterator: AsyncIterableIterator<T> = {
    next() {
      if (items.length) return Promise.resolve({ value: items.shift()!, done: false });
      if (ended) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => (waiting = resolve));
    },
    return() {
      end();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  function end() {
    ended = true;
    items.length = 0;
    waiting?.({ value: undefined, done: true });
    waiting = undefined;
  }
  return {
    push(item: T) {
      if (ended) return;
      if (waiting) {
        const w = waiting;
        waiting = undefined;
        w({ value: item, done: false });
      } else items.push(item);
    },
    end,
    finish() {
      ended = true;
      waiting?.({ value: undefined, done: true });
      waiting = undefined;
    },
    iterator,
  };
}

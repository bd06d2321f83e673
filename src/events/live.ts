import { createEventQueue } from './queue';

/** Where a live source pushes: values in order, then one end (with the error that ended it, if any). */
export interface Sink<T> {
  next(value: T): void;
  end(error?: unknown): void;
}

const START = Symbol('live.start');

/**
 * A subscription's source of events, pushed rather than pulled: the project's WebSocket server
 * (src/graphql/live) starts it with a sink and writes each event's shared frame straight to the
 * socket, with no promise or async iterator per subscriber and event. It is also an async iterable,
 * which graphql-js requires of a subscribe resolver and which any other consumer can read.
 */
export interface LiveSource<T> extends AsyncIterable<T> {
  /** Starts delivery into `sink`; returns the function that stops it (idempotent). */
  [START](sink: Sink<T>): () => void;
}

export function liveSource<T>(start: (sink: Sink<T>) => () => void): LiveSource<T> {
  return {
    [START]: start,
    [Symbol.asyncIterator]() {
      const queue = createEventQueue<{ value: T } | { error: unknown }>();
      const stop = start({
        next: (value) => queue.push({ value }),
        end: (error) => {
          if (error !== undefined) queue.push({ error });
          queue.finish();
        },
      });
      const it = queue.iterator;
      return {
        async next(): Promise<IteratorResult<T>> {
          const step = await it.next();
          if (step.done) return (stop(), { done: true, value: undefined });
          if ('error' in step.value) throw (stop(), step.value.error);
          return { done: false, value: step.value.value };
        },
        async return(): Promise<IteratorResult<T>> {
          stop();
          queue.end();
          return { done: true, value: undefined };
        },
      };
    },
  };
}

export function isLiveSource<T>(value: unknown): value is LiveSource<T> {
  return typeof value === 'object' && value !== null && START in value;
}

export function startLive<T>(source: LiveSource<T>, sink: Sink<T>): () => void {
  return source[START](sink);
}

/** A live source of the events of one topic that `pick` turns into values (undefined: skipped). */
export function topicSource<E, T>(subscribe: (handler: (event: E) => void) => () => void, pick: (event: E) => T | undefined) {
  return liveSource<T>((sink) =>
    subscribe((event) => {
      const value = pick(event);
      if (value !== undefined) sink.next(value);
    }),
  );
}

/**
 * Runs `handle` on each pushed item in push order. Synchronous handling happens at once; while a
 * handler's promise is pending, later items wait in a backlog (at most `maxBacklog`, past which
 * `fail` is called: the consumer has fallen too far behind). A failure stops everything.
 */
export function inOrder<T>(handle: (item: T) => void | Promise<void>, fail: (error: unknown) => void, maxBacklog = 10_000) {
  let backlog: T[] = [];
  let busy = false;
  let closed = false;
  const stopWith = (error: unknown) => {
    if (closed) return;
    closed = true;
    backlog = [];
    fail(error);
  };
  const run = (item: T) => {
    let pending: void | Promise<void>;
    try {
      pending = handle(item);
    } catch (e) {
      return stopWith(e);
    }
    if (!pending) return;
    busy = true;
    pending.then(() => {
      busy = false;
      let i = 0;
      while (!busy && !closed && i < backlog.length) run(backlog[i++]!);
      backlog = closed ? [] : backlog.slice(i);
    }, stopWith);
  };
  return {
    push(item: T) {
      if (closed) return;
      if (!busy && backlog.length === 0) return run(item);
      if (backlog.length >= maxBacklog) return stopWith(new Error('the stream fell too far behind; subscribe again with `after`'));
      backlog.push(item);
    },
    close() {
      closed = true;
      backlog = [];
    },
  };
}

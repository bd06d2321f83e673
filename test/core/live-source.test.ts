import { createInProcessBus } from '../../src/events/bus';
import { topics, type DomainEvent } from '../../src/events/catalog';
import { inOrder, startLive, topicSource } from '../../src/events/live';

// Live sources (src/events/live.ts) on the real in-process bus: pushed to a sink, read as an
// async iterable (what graphql-js and any other consumer see), and kept in order by inOrder.
describe('live sources', () => {
  const presence = (n: number) => ({ appId: 'a', userId: `u${n}`, online: true, at: n });
  const source = (bus: ReturnType<typeof createInProcessBus>) =>
    topicSource<DomainEvent, number>(
      (h) => bus.subscribe(topics.presence('a'), h),
      (e) => (e.type === 'presence.changed' ? e.at : undefined),
    );

  it('pushes each event to the sink synchronously, and stops listening when stopped', () => {
    const bus = createInProcessBus();
    const got: number[] = [];
    const stop = startLive(source(bus), { next: (v) => got.push(v), end: () => undefined });
    bus.publish('presence.changed', presence(1), [topics.presence('a')]);
    expect(got).toEqual([1]);
    stop();
    bus.publish('presence.changed', presence(2), [topics.presence('a')]);
    expect(got).toEqual([1]);
    expect(bus.subscriptionCount()).toBe(0);
  });

  it('reads as an async iterable, in order, and return() unsubscribes', async () => {
    const bus = createInProcessBus();
    const it = source(bus)[Symbol.asyncIterator]();
    for (const n of [1, 2, 3]) bus.publish('presence.changed', presence(n), [topics.presence('a')]);
    expect([(await it.next()).value, (await it.next()).value, (await it.next()).value]).toEqual([1, 2, 3]);
    expect(bus.subscriptionCount()).toBe(1);
    await it.return!();
    expect(bus.subscriptionCount()).toBe(0);
  });

  it('inOrder handles at once what is synchronous and holds later items behind a pending one', async () => {
    const done: string[] = [];
    let release!: () => void;
    const steps = inOrder<string>(
      (item) => {
        if (item === 'slow') return new Promise<void>((r) => (release = () => (done.push(item), r())));
        done.push(item);
      },
      () => undefined,
    );
    steps.push('a');
    expect(done).toEqual(['a']);
    steps.push('slow');
    steps.push('b');
    steps.push('c');
    expect(done).toEqual(['a']);
    release();
    await new Promise((r) => setImmediate(r));
    expect(done).toEqual(['a', 'slow', 'b', 'c']);
  });

  it('inOrder fails once its backlog is full, and takes nothing more', () => {
    const failures: unknown[] = [];
    const handled: number[] = [];
    const steps = inOrder<number>(
      (n) => (n === 0 ? new Promise<void>(() => undefined) : void handled.push(n)),
      (e) => failures.push(e),
      3,
    );
    for (let n = 0; n < 6; n++) steps.push(n);
    expect(failures).toHaveLength(1);
    expect(String(failures[0])).toMatch(/fell too far behind/);
    expect(handled).toEqual([]);
  });
});

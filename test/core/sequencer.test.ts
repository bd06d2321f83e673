import { createSequencer } from '../../src/messages/sequencer';
import { createDeliveryRecorder } from '../../src/messages/delivery';
import { sleep } from '../helpers/harness';

// Pure ordering logic: no database or network involved, so plain unit tests.
describe('message sequencer', () => {
  it('publishes a conversation in seq order whatever order sends finish in', () => {
    const s = createSequencer(1000);
    const out: number[] = [];
    for (const seq of [1, 3, 4, 2, 6, 5]) s.publish('c', seq, () => out.push(seq));
    expect(out).toEqual([1, 2, 3, 4, 5, 6]);
    s.publish('other', 10, () => out.push(10)); // lanes are independent
    expect(out).toEqual([1, 2, 3, 4, 5, 6, 10]);
  });

  it('gives up waiting for a missing predecessor after the hold time, in order', async () => {
    const s = createSequencer(50);
    const out: number[] = [];
    s.publish('c', 1, () => out.push(1));
    s.publish('c', 4, () => out.push(4));
    s.publish('c', 3, () => out.push(3));
    expect(out).toEqual([1]);
    await sleep(120);
    expect(out).toEqual([1, 3, 4]);
    s.publish('c', 2, () => out.push(2)); // late: published at once, subscribers skip or place it
    s.publish('c', 5, () => out.push(5));
    expect(out).toEqual([1, 3, 4, 2, 5]);
  });

  it('stops waiting for a seq another instance published (seen), before or after ours is held', () => {
    const s = createSequencer(60_000);
    const out: number[] = [];
    s.publish('c', 1, () => out.push(1));
    s.publish('c', 3, () => out.push(3)); // waits for 2, sent elsewhere
    expect(out).toEqual([1]);
    s.seen('c', 2);
    expect(out).toEqual([1, 3]);
    s.seen('c', 5); // beyond ours: 4 is still awaited, then 5 is already done
    s.publish('c', 6, () => out.push(6));
    s.publish('c', 4, () => out.push(4));
    expect(out).toEqual([1, 3, 4, 6]);
    s.seen('c', 2); // old news changes nothing
    s.publish('c', 7, () => out.push(7));
    expect(out).toEqual([1, 3, 4, 6, 7]);
  });
});

describe('delivery recorder', () => {
  it('writes one update per conversation and seq, one flush at a time', async () => {
    const writes: string[] = [];
    let concurrent = 0;
    let maxConcurrent = 0;
    const rec = createDeliveryRecorder(
      {
        markDelivered: async (c: string, users: string[], seq: number) => {
          concurrent++;
          maxConcurrent = Math.max(maxConcurrent, concurrent);
          await sleep(30);
          writes.push(`${c}:${seq}:${[...users].sort().join(',')}`);
          concurrent--;
        },
      },
      10,
    );
    const m = (conversationId: string, seq: number, senderId = 's') => ({ conversationId, seq, senderId }) as never;
    for (const u of ['a', 'b', 'c']) rec.record(u, m('room', 7));
    rec.record('a', m('room', 5)); // lower than what a already has: ignored
    rec.record('s', m('room', 7)); // the sender's own message is not a delivery
    rec.record('d', m('dm', 2));
    await sleep(20);
    rec.record('e', m('dm', 3)); // arrives while the first flush is writing
    await rec.stop();
    expect(writes.sort()).toEqual(['dm:2:d', 'dm:3:e', 'room:7:a,b,c']);
    expect(maxConcurrent).toBeLessThanOrEqual(2); // the writes of one flush run together; flushes never overlap
  });
});

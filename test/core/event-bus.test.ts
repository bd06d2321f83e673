import crypto from 'node:crypto';
import Redis from 'ioredis';
import pino from 'pino';
import { createInProcessBus, type BusProblem } from '../../src/events/bus';
import { topics, type DomainEvent } from '../../src/events/catalog';
import { createRedisBus } from '../../src/events/redis-bus';
import { REDIS_URL } from '../helpers/cluster';
import { eventually } from '../outbox/helpers';

describe('the event bus keeps delivering', () => {
  it('to the other handlers when one throws, and says so', () => {
    const problems: Parameters<BusProblem>[0][] = [];
    const bus = createInProcessBus((p) => problems.push(p));
    const seen: string[] = [];
    bus.subscribe(topics.all('app.changed'), () => {
      throw new Error('broken subscriber');
    });
    bus.subscribe(topics.all('app.changed'), (e) => seen.push(e.type));
    // `on` hears one type, typed as that type.
    const apps: string[] = [];
    bus.on('app.changed', (e) => apps.push(e.appId));
    bus.on('user.updated', () => apps.push('wrong'));
    expect(() => bus.publish('app.changed', { appId: 'a' }, [])).not.toThrow();
    expect(seen).toEqual(['app.changed']);
    expect(apps).toEqual(['a']);
    expect(problems).toEqual([expect.objectContaining({ event: 'app.changed', reason: expect.stringContaining('threw') })]);
  });

  it('drops what arrives from Redis that is not an envelope of ours, and still delivers the next event', async () => {
    const prefix = `t-${crypto.randomBytes(4).toString('hex')}:`;
    const errors: string[] = [];
    const log = pino({ level: 'error' }, { write: (line: string) => void errors.push(JSON.parse(line).msg) });
    const bus = await createRedisBus({ url: REDIS_URL, prefix, log });
    const raw = new Redis(REDIS_URL);
    try {
      const seen: DomainEvent[] = [];
      bus.subscribe(topics.all('app.changed'), (e) => seen.push(e));
      await eventually(async () => (bus.status() === 'up' ? true : undefined), 10_000, 'the bus is up');
      for (const text of [
        'not json',
        JSON.stringify({ targets: 'all', event: {} }),
        JSON.stringify({ targets: [topics.all('app.changed')], event: { type: 'app.changed', eventId: 'x' } }), // appId missing
        JSON.stringify({ targets: [topics.all('app.changed')], event: { type: 'made.up', eventId: 'x', appId: 'a' } }),
      ])
        await raw.publish(`${prefix}events`, text);
      bus.publish('app.changed', { appId: 'real' }, []);
      await eventually(async () => (seen.length === 1 ? true : undefined), 10_000, 'the real event');
      expect(seen.map((e) => (e as { appId: string }).appId)).toEqual(['real']);
      await eventually(async () => (errors.length >= 4 ? true : undefined), 10_000, 'four drops reported');
      expect(errors.every((m) => m.startsWith('event bus: '))).toBe(true);
    } finally {
      raw.disconnect();
      await bus.close();
    }
  });
});

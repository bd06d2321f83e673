import { Redis } from 'ioredis';
import type { Log as Logger } from '../domain/context';
import { createLocalHandlers, envelopeOf, type EventBus } from './bus';

/**
 * The event bus across instances: every event is published on one Redis channel of the
 * deployment's prefix, and every instance (this one included) receives it on its own subscribing
 * connection, decodes it once and hands it to its local handlers. All instances therefore see the
 * events in the one order Redis gives them. While Redis is away, events are delivered on this
 * instance only (its own sockets keep working) and the bus reports `down`.
 */
export async function createRedisBus(opts: { url: string; prefix: string; log: Logger }): Promise<EventBus> {
  const channel = `${opts.prefix}events`;
  const local = createLocalHandlers();
  // No offline queue: a command while disconnected fails at once instead of waiting to be replayed late.
  const publisher = new Redis(opts.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
  const subscriber = new Redis(opts.url, { maxRetriesPerRequest: null, lazyConnect: true });
  let subscribed = false;
  let wasDown = false;
  for (const [name, conn] of [
    ['publisher', publisher],
    ['subscriber', subscriber],
  ] as const) {
    conn.on('error', (e: Error) => opts.log.warn({ err: e.message, redis: name }, 'redis connection error'));
  }
  subscriber.on('message', (ch: string, text: string) => {
    if (ch === channel) local.deliver(text);
  });
  subscriber.on('ready', () => {
    if (wasDown) opts.log.warn({ redis: 'subscriber' }, 'redis is back: events travel between instances again');
    wasDown = false;
  });
  subscriber.on('close', () => {
    if (!wasDown) opts.log.warn({ redis: 'subscriber' }, 'redis is away: events are delivered on this instance only');
    wasDown = true;
  });
  const up = () => publisher.status === 'ready' && subscriber.status === 'ready' && subscribed;

  try {
    await Promise.all([publisher.connect(), subscriber.connect()]);
    await subscriber.subscribe(channel); // ioredis subscribes again by itself after a reconnect
    subscribed = true;
  } catch (e) {
    // Start degraded rather than not at all: the instance serves its own sockets meanwhile.
    opts.log.warn({ err: (e as Error).message }, 'redis unavailable at start: events are delivered on this instance only');
    subscriber.once('ready', () => void subscriber.subscribe(channel).then(() => (subscribed = true)));
  }

  return {
    publish(type, payload, audience) {
      const text = envelopeOf(type, payload, audience);
      if (!up()) return local.deliver(text);
      publisher.publish(channel, text).catch((e: Error) => {
        opts.log.warn({ err: e.message }, 'redis publish failed: event delivered on this instance only');
        local.deliver(text);
      });
    },
    subscribe: local.subscribe,
    subscriptionCount: local.count,
    status: () => (up() ? 'up' : 'down'),
    async close() {
      // quit() lets a pending publish finish; a connection that is not up only stops reconnecting.
      await Promise.allSettled([publisher, subscriber].map((c) => (c.status === 'ready' ? c.quit() : c.disconnect())));
    },
  };
}

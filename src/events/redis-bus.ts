import { Redis } from 'ioredis';
import type { Log as Logger } from '../domain/context';
import { monitorRedis } from '../observability/stores';
import { createLocalHandlers, envelopeOf, type EventBus } from './bus';

/**
 * The event bus across instances: every event is published on one Redis channel of the
 * deployment's prefix, and every instance (this one included) receives it on its own subscribing
 * connection, decodes it once and hands it to its local handlers. All instances therefore see the
 * events in the one order Redis gives them. While Redis is away, events are delivered on this
 * instance only (its own sockets keep working) and the bus reports `down`; when it is back, the
 * resume handlers learn since when events may have been missed (messages/stream.ts catches up).
 */
/** Events published this long before an outage was noticed may have been lost with the connection. */
const MISSED_MARGIN_MS = 5_000;

export async function createRedisBus(opts: { url: string; prefix: string; log: Logger }): Promise<EventBus> {
  const channel = `${opts.prefix}events`;
  const local = createLocalHandlers((p) => opts.log.error({ err: p.err, event: p.event }, `event bus: ${p.reason}`));
  // No offline queue: a command while disconnected fails at once instead of waiting to be replayed late.
  const publisher = new Redis(opts.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
  const subscriber = new Redis(opts.url, { maxRetriesPerRequest: null, lazyConnect: true });
  let subscribed = false;
  let wasDown = false;
  let missedSince: number | undefined;
  const resumeHandlers = new Set<(since: number) => void>();
  const markDown = () => (missedSince ??= Date.now() - MISSED_MARGIN_MS);
  /** Once both connections are back (and subscribed again), the handlers catch up. */
  const maybeResume = () => {
    if (missedSince === undefined || !up()) return;
    const since = missedSince;
    missedSince = undefined;
    for (const h of [...resumeHandlers]) h(since);
  };
  for (const [name, conn] of [
    ['publisher', publisher],
    ['subscriber', subscriber],
  ] as const) {
    conn.on('error', (e: Error) => opts.log.warn({ err: e.message, redis: name }, 'redis connection error'));
    monitorRedis(conn, name);
  }
  subscriber.on('message', (ch: string, text: string) => {
    if (ch === channel) local.deliver(text);
  });
  // Subscribed again after every (re)connect: ioredis resubscribes by itself too, but only our own
  // call tells us when it is done. Until then the bus is not up and nothing resumes.
  subscriber.on('ready', () => {
    if (wasDown) opts.log.warn({ redis: 'subscriber' }, 'redis is back: events travel between instances again');
    wasDown = false;
    void subscriber.subscribe(channel).then(() => {
      subscribed = true;
      maybeResume();
    }, markDown);
  });
  publisher.on('ready', maybeResume);
  for (const conn of [publisher, subscriber])
    conn.on('close', () => {
      markDown();
      if (conn === subscriber) subscribed = false;
      if (conn === subscriber && !wasDown) {
        opts.log.warn({ redis: 'subscriber' }, 'redis is away: events are delivered on this instance only');
        wasDown = true;
      }
    });
  // A safety net for orderings of the events above that no handler saw: resume once both are up.
  const resumeCheck = setInterval(maybeResume, 1_000);
  resumeCheck.unref();
  const up = () => publisher.status === 'ready' && subscriber.status === 'ready' && subscribed;

  try {
    await Promise.all([publisher.connect(), subscriber.connect()]);
    await subscriber.subscribe(channel); // ioredis subscribes again by itself after a reconnect
    subscribed = true;
  } catch (e) {
    // Start degraded rather than not at all: the instance serves its own sockets meanwhile.
    opts.log.warn({ err: (e as Error).message }, 'redis unavailable at start: events are delivered on this instance only');
    wasDown = true;
  }

  return {
    publish(type, payload, audience) {
      const text = envelopeOf(type, payload, audience);
      if (!up()) {
        markDown();
        return local.deliver(text);
      }
      publisher.publish(channel, text).catch((e: Error) => {
        opts.log.warn({ err: e.message }, 'redis publish failed: event delivered on this instance only');
        markDown();
        local.deliver(text);
      });
    },
    subscribe: local.subscribe,
    on: local.on.bind(local),
    subscriptionCount: local.count,
    status: () => (up() ? 'up' : 'down'),
    onResume(handler) {
      resumeHandlers.add(handler);
      return () => resumeHandlers.delete(handler);
    },
    async close() {
      clearInterval(resumeCheck);
      // quit() lets a pending publish finish; a connection that is not up only stops reconnecting.
      await Promise.allSettled([publisher, subscriber].map((c) => (c.status === 'ready' ? c.quit() : c.disconnect())));
    },
  };
}

import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import type { Log as Logger } from '../domain/context';
import { createInProcessBus, type EventBus } from '../events/bus';
import { monitorRedis } from '../observability/stores';
import { createRedisBus } from '../events/redis-bus';
import type { Config } from './config';

/**
 * What an instance shares with the others: the event bus and, with REDIS_URL, a Redis connection
 * for commands (presence, rate limits, login throttles). Without REDIS_URL the instance is alone
 * and everything stays in process, so `npm start` needs no Redis.
 */
export interface Cluster {
  events: EventBus;
  /** Commands (not pub/sub); undefined when the instance is alone. */
  redis?: Redis;
  prefix: string;
  /** This process, in presence entries and logs. */
  instanceId: string;
  close(): Promise<void>;
}

export function localCluster(log?: Logger): Cluster {
  const events = createInProcessBus((p) => log?.error({ err: p.err, event: p.event }, `event bus: ${p.reason}`));
  return { events, prefix: '', instanceId: crypto.randomUUID(), close: () => events.close() };
}

export async function createCluster(config: Config, log: Logger): Promise<Cluster> {
  const { url, prefix } = config.redis;
  if (!url) return localCluster(log);
  const events = await createRedisBus({ url, prefix, log });
  // No offline queue: while Redis is away a command fails at once and its caller falls back to local state.
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', (e: Error) => log.debug({ err: e.message, redis: 'commands' }, 'redis connection error'));
  monitorRedis(redis, 'commands');
  await redis.connect().catch(() => undefined); // started degraded: it keeps reconnecting
  return {
    events,
    redis,
    prefix,
    instanceId: crypto.randomUUID(),
    async close() {
      await events.close();
      await (redis.status === 'ready' ? redis.quit() : redis.disconnect());
    },
  };
}

import type { Log as Logger } from '../domain/context';
import { createInProcessBus, type EventBus } from '../events/bus';
import { createRedisBus } from '../events/redis-bus';
import type { Config } from './config';

/** Redis when REDIS_URL is set (several instances, the worker and the CLI reach each other), else in-process. */
export function createEventBus(config: Config, log: Logger): Promise<EventBus> | EventBus {
  return config.redis.url ? createRedisBus({ url: config.redis.url, prefix: config.redis.prefix, log }) : createInProcessBus();
}

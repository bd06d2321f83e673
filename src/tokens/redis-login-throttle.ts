import type { Redis } from 'ioredis';
import { ADDRESS_FREE_FACTOR, createLoginThrottle, throttled, type LoginThrottle, type LoginThrottleSettings } from './login-throttle';

/**
 * The login throttle of login-throttle.ts for the whole deployment: each account's and address's
 * failures are a Redis hash, updated by one script on Redis's clock, so guessing through several
 * instances is slowed down as through one. While Redis is away, each instance throttles its own.
 */
const FAIL = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local free, base, max = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local e = redis.call('HMGET', KEYS[1], 'failures', 'blockedUntil', 'lastAt')
local failures, blockedUntil, lastAt = tonumber(e[1]) or 0, tonumber(e[2]) or 0, tonumber(e[3]) or now
if not (blockedUntil > now or now - lastAt < max) then failures, blockedUntil = 0, 0 end
failures = failures + 1
local over = failures - free
if over > 0 then blockedUntil = now + math.min(max, base * 2 ^ math.min(over - 1, 30)) end
redis.call('HSET', KEYS[1], 'failures', failures, 'blockedUntil', blockedUntil, 'lastAt', now)
redis.call('PEXPIRE', KEYS[1], math.max(blockedUntil - now, 0) + max)
return 1
`;
const WAIT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = 0
for _, key in ipairs(KEYS) do
  local until_ = tonumber(redis.call('HGET', key, 'blockedUntil')) or 0
  if until_ - now > wait then wait = until_ - now end
end
return wait
`;

type ThrottleRedis = Redis & {
  imfLoginFail(key: string, free: number, base: number, max: number): Promise<number>;
  imfLoginWait(n: number, ...keys: string[]): Promise<number>;
};

export function createRedisLoginThrottle(redis: Redis, keyPrefix: string, s: LoginThrottleSettings): LoginThrottle {
  const local = createLoginThrottle(s);
  const r = redis as ThrottleRedis;
  if (!('imfLoginFail' in redis)) {
    redis.defineCommand('imfLoginFail', { numberOfKeys: 1, lua: FAIL });
    redis.defineCommand('imfLoginWait', { lua: WAIT });
  }
  const accountKey = (a: string) => `${keyPrefix}account:${a}`;
  const addressKey = (a: string) => `${keyPrefix}address:${a}`;
  const shared = () => redis.status === 'ready';
  return {
    async before(account, address) {
      if (!shared()) return local.beforeNow(account, address);
      const keys = [accountKey(account), ...(address ? [addressKey(address)] : [])];
      let wait: number;
      try {
        wait = await r.imfLoginWait(keys.length, ...keys);
      } catch {
        return local.beforeNow(account, address);
      }
      if (wait > 0) throw throttled(wait);
    },
    failed(account, address) {
      if (!shared()) return local.failed(account, address);
      const record = (key: string, free: number) =>
        void r.imfLoginFail(key, free, s.baseDelayMs, s.maxDelayMs).catch(() => local.failed(account, address));
      record(accountKey(account), s.freeFailures);
      if (address) record(addressKey(address), s.freeFailures * ADDRESS_FREE_FACTOR);
    },
    succeeded(account) {
      local.succeeded(account);
      if (shared()) void redis.del(accountKey(account)).catch(() => undefined);
    },
  };
}

import type { Redis } from 'ioredis';
import { createTokenBuckets, FAILING_MS, MAX_DEBT_SECONDS, type BucketOptions, type TokenBuckets } from './token-bucket';

/**
 * The token buckets of token-bucket.ts, shared by every instance: each bucket is a Redis hash
 * updated by one script (atomic, on Redis's clock), so N instances enforce one limit, not N. One
 * round trip per request. While Redis is away, each instance falls back to its own buckets.
 * Written here rather than taken from a library: the rules (bursts, the debt of failed
 * authentications, the "failing" mark the tarpit reads, refunds) must be the in-process ones.
 */
const SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local op, rate, burst = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'failedAt')
if op == 'refund' and not b[2] then return {1, '0', 0} end
local tokens = tonumber(b[1]) or burst
local at = tonumber(b[2]) or now
local failedAt = tonumber(b[3])
tokens = math.min(burst, tokens + math.max(0, now - at) / 1000 * rate)
local ok = 1
if op == 'take' then
  if tokens >= 1 then tokens = tokens - 1 else ok = 0 end
elseif op == 'fail' then
  failedAt = now
  tokens = math.max(-rate * tonumber(ARGV[5]), tokens - tonumber(ARGV[4]))
else
  tokens = math.min(burst, tokens + 1)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
local ttl = math.ceil((burst - tokens) / rate * 1000) + 1000
if failedAt then
  redis.call('HSET', KEYS[1], 'failedAt', failedAt)
  ttl = math.max(ttl, tonumber(ARGV[6]) - (now - failedAt))
end
redis.call('PEXPIRE', KEYS[1], ttl)
local failing = 0
if failedAt and now - failedAt < tonumber(ARGV[6]) then failing = 1 end
return {ok, tostring(tokens), failing}
`;

type BucketRedis = Redis & { imfTokenBucket(key: string, ...args: (string | number)[]): Promise<[number, string, number]> };

export function createRedisTokenBuckets(
  redis: Redis,
  keyPrefix: string,
  perSecond: number,
  opts: Omit<BucketOptions, 'now'> = {},
): TokenBuckets {
  const local = createTokenBuckets(perSecond, opts);
  if (perSecond <= 0) return local;
  if (!('imfTokenBucket' in redis)) redis.defineCommand('imfTokenBucket', { numberOfKeys: 1, lua: SCRIPT });
  const burst = opts.burst ?? perSecond;
  const extra = (opts.failureCost ?? 1) - 1;
  const run = (op: 'take' | 'fail' | 'refund', key: string) =>
    (redis as BucketRedis).imfTokenBucket(`${keyPrefix}${key}`, op, perSecond, burst, extra, MAX_DEBT_SECONDS, FAILING_MS);
  const shared = () => redis.status === 'ready';
  return {
    async take(key) {
      if (!shared()) return local.takeNow(key);
      try {
        const [ok, tokens, failing] = await run('take', key);
        if (ok === 1) return { ok: true };
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - Number(tokens)) / perSecond)), failing: failing === 1 };
      } catch {
        return local.takeNow(key);
      }
    },
    failed(key) {
      if (shared()) void run('fail', key).catch(() => local.failed(key));
      else local.failed(key);
    },
    refund(key) {
      if (shared()) void run('refund', key).catch(() => undefined);
      else local.refund(key);
    },
  };
}

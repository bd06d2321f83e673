import type { Redis } from 'ioredis';
import type { Log as Logger } from '../domain/context';
import type { PresenceAnnounce, PresenceDirectory } from './directory';

/**
 * Presence for several instances, in Redis. Per user, a hash of instance id → live connections
 * there; per instance, the set of its users; and one sorted set of instances by their last
 * heartbeat (Redis's clock). An instance that stops beating for `staleMs` (two thirds of the
 * TTL) no longer counts, and the first instance to notice removes its entries and announces its
 * users offline: a crashed instance's users are offline within the TTL. While Redis is away each
 * instance answers from its own connections and re-registers them when Redis is back. Every
 * answer reads the heartbeats afresh (one round trip with the counts), so it is exact at once.
 */
export function createRedisDirectory(opts: {
  redis: Redis;
  prefix: string;
  instanceId: string;
  ttlMs: number;
  announce: PresenceAnnounce;
  log: Logger;
}): PresenceDirectory {
  const { redis, instanceId: self, announce, log } = opts;
  const userKey = (member: string) => `${opts.prefix}presence:${member}`;
  const usersOf = (instance: string) => `${opts.prefix}presence-instance:${instance}`;
  const instances = `${opts.prefix}presence-instances`;
  const staleMs = Math.floor((opts.ttlMs * 2) / 3);
  const local = new Map<string, number>(); // `${appId}:${userId}` → connections here
  let clockOffset = 0; // Redis time − local time
  let resync = true;

  /** Instance → last beat (Redis time), from a `ZRANGE … WITHSCORES` reply. */
  const beatsOf = (scored: unknown) => {
    const list = (scored ?? []) as string[];
    const beats = new Map<string, number>();
    for (let i = 0; i < list.length; i += 2) beats.set(list[i]!, Number(list[i + 1]));
    return beats;
  };
  /** Connections on other instances that still beat, from a user's hash. */
  const liveElsewhere = (counts: unknown, beats: Map<string, number>) => {
    const now = Date.now() + clockOffset;
    let n = 0;
    for (const [instance, count] of Object.entries((counts ?? {}) as Record<string, string>)) {
      const beat = beats.get(instance);
      if (instance !== self && beat !== undefined && now - beat < staleMs) n += Number(count);
    }
    return n;
  };
  const failed = (e: Error) => {
    resync = true;
    log.warn({ err: e.message }, 'presence: redis unavailable, answering from this instance');
  };

  async function report(member: string, appId: string, userId: string, count: number, before: number) {
    const tx = redis.multi();
    if (count > 0) tx.hset(userKey(member), self, count).sadd(usersOf(self), member);
    else tx.hdel(userKey(member), self).srem(usersOf(self), member);
    const result = (await tx.hgetall(userKey(member)).zrange(instances, 0, -1, 'WITHSCORES').exec()) ?? [];
    const [counts, scored] = [result.at(-2)?.[1], result.at(-1)?.[1]];
    if (before > 0 !== count > 0 && liveElsewhere(counts, beatsOf(scored)) === 0) announce(appId, userId, count > 0);
  }

  /** Removes an instance that stopped beating; only the instance whose ZREM succeeds does it. */
  async function reap(instance: string, beats: Map<string, number>) {
    if ((await redis.zrem(instances, instance)) !== 1) return;
    const members = await redis.smembers(usersOf(instance));
    for (const member of members) {
      const result = await redis.multi().hdel(userKey(member), instance).hgetall(userKey(member)).exec();
      const [appId, userId] = member.split(':') as [string, string];
      if (liveElsewhere(result?.[1]?.[1], beats) === 0 && !local.get(member)) announce(appId, userId, false);
    }
    await redis.del(usersOf(instance));
    log.warn({ instance, users: members.length }, 'presence: an instance stopped beating; its users are offline');
  }

  async function beat() {
    const [seconds, micros] = await redis.time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    clockOffset = now - Date.now();
    await redis.zadd(instances, now, self);
    if (resync) {
      // Back from an outage (or starting): this instance's entries are exactly its connections again.
      const known = await redis.smembers(usersOf(self));
      const tx = redis.multi();
      for (const member of known) if (!local.has(member)) tx.hdel(userKey(member), self).srem(usersOf(self), member);
      for (const [member, count] of local) tx.hset(userKey(member), self, count).sadd(usersOf(self), member);
      await tx.exec();
      resync = false;
    }
    const beats = beatsOf(await redis.zrange(instances, 0, -1, 'WITHSCORES'));
    for (const [instance, at] of beats) if (instance !== self && now - at >= staleMs) await reap(instance, beats);
  }

  const timer = setInterval(() => void beat().catch(failed), Math.max(50, Math.floor(opts.ttlMs / 4)));
  timer.unref();
  void beat().catch(failed);

  return {
    report(appId, userId, count) {
      const member = `${appId}:${userId}`;
      const before = local.get(member) ?? 0;
      if (count > 0) local.set(member, count);
      else local.delete(member);
      if (redis.status !== 'ready') {
        resync = true;
        if (before > 0 !== count > 0) announce(appId, userId, count > 0);
        return;
      }
      report(member, appId, userId, count, before).catch((e: Error) => {
        failed(e);
        if (before > 0 !== count > 0) announce(appId, userId, count > 0);
      });
    },
    async counts(appId, userIds) {
      const mine = userIds.map((u) => local.get(`${appId}:${u}`) ?? 0);
      if (redis.status !== 'ready') return mine;
      try {
        const pipeline = redis.pipeline().zrange(instances, 0, -1, 'WITHSCORES');
        for (const u of userIds) pipeline.hgetall(userKey(`${appId}:${u}`));
        const results = (await pipeline.exec()) ?? [];
        const beats = beatsOf(results[0]?.[1]);
        return userIds.map((_u, i) => mine[i]! + liveElsewhere(results[i + 1]?.[1], beats));
      } catch (e) {
        failed(e as Error);
        return mine;
      }
    },
    async close() {
      clearInterval(timer);
      if (redis.status !== 'ready') return;
      const tx = redis.multi().zrem(instances, self).del(usersOf(self));
      for (const member of local.keys()) tx.hdel(userKey(member), self);
      await tx.exec().catch(() => undefined);
    },
  };
}

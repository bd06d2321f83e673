import { createEventCache } from '../../src/events/cache';
import { createTokenCache, type CachedToken } from '../../src/tokens/cache';

// The process-local caches on lru-cache, driven by an injected clock: no waiting on real time.
describe('event cache', () => {
  it('serves a value until ttl, then loads again; a failed load is not kept', async () => {
    let t = 1_000;
    const cache = createEventCache<string>({ ttlMs: 100, now: () => t });
    let loads = 0;
    const load = async () => `v${++loads}`;
    expect(await cache.get('k', load)).toBe('v1');
    t += 100;
    expect(await cache.get('k', load)).toBe('v1');
    t += 1;
    expect(await cache.get('k', load)).toBe('v2');
    await expect(cache.get('bad', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('bad', load)).toBe('v3');
  });

  it('drops the least recently used past its bound, and loads only the missing keys of a batch', async () => {
    const cache = createEventCache<string>({ maxEntries: 2 });
    await cache.get('a', async () => 'A');
    await cache.get('b', async () => 'B');
    await cache.get('a', async () => 'A2'); // a is now the most recent
    await cache.get('c', async () => 'C');
    expect(cache.size()).toBe(2);
    const asked: string[][] = [];
    const values = await cache.getMany(
      ['a', 'b', 'c'],
      async (missing) => (asked.push(missing), missing.map((k) => k.toUpperCase() + '!')),
    );
    expect(asked).toEqual([['b']]);
    expect(values).toEqual(['A', 'B!', 'C']);
  });
});

describe('token cache', () => {
  const token = (tokenId: string): CachedToken => ({ tokenId, appId: 'app', kind: 'user', userId: 'u', expiresAt: null });

  it('ages entries out and forgets by token id, the reverse index following evictions', () => {
    let t = 1_000;
    const cache = createTokenCache(2, 50, () => t);
    cache.put('h1', token('t1'));
    cache.put('h2', token('t2'));
    cache.put('h3', token('t3')); // evicts h1
    expect(cache.get('h1')).toBeUndefined();
    cache.put('h1b', token('t1')); // t1 again under another secret: forgetting it must reach this one
    cache.forget(['t1']);
    expect(cache.get('h1b')).toBeUndefined();
    expect(cache.get('h3')).toEqual(token('t3'));
    t += 51;
    expect(cache.get('h3')).toBeUndefined();
  });
});

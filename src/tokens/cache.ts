import { LRUCache } from 'lru-cache';
import type { TokenKind } from './model';

/**
 * Recently verified tokens, by secret digest, so a request does not pay a token lookup (a scan on
 * FerretDB) every time. Revocation removes an entry at once (same process); entries also age out
 * after `ttlMs`, the longest a revocation made elsewhere can go unnoticed. Expiry is checked on
 * every hit; a user token's user is read per request from the users cache, which every write drops
 * at once (users/store.ts), so deactivation applies at once.
 */
export interface CachedToken {
  tokenId: string;
  appId: string;
  kind: TokenKind;
  userId?: string;
  expiresAt: Date | null;
}

export function createTokenCache(maxEntries = 50_000, ttlMs = 60_000, now: () => number = Date.now) {
  const hashByTokenId = new Map<string, string>();
  // Past the bound the least recently used goes; past `ttlMs` an entry is not served. The reverse
  // index (for revocation by token id) follows every removal.
  const bySecretHash = new LRUCache<string, CachedToken>({
    max: maxEntries,
    ttl: ttlMs,
    ttlResolution: 0,
    perf: { now },
    dispose: (token, hash) => hashByTokenId.get(token.tokenId) === hash && hashByTokenId.delete(token.tokenId),
  });
  return {
    get: (secretHash: string): CachedToken | undefined => bySecretHash.get(secretHash),
    put(secretHash: string, token: CachedToken) {
      bySecretHash.set(secretHash, token);
      hashByTokenId.set(token.tokenId, secretHash);
    },
    clear() {
      bySecretHash.clear();
      hashByTokenId.clear();
    },
    forget(tokenIds: string[]) {
      for (const id of tokenIds) {
        const hash = hashByTokenId.get(id);
        if (hash !== undefined) bySecretHash.delete(hash);
        hashByTokenId.delete(id);
      }
    },
  };
}

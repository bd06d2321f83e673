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
  const bySecretHash = new Map<string, { token: CachedToken; at: number }>();
  const hashByTokenId = new Map<string, string>();
  return {
    get(secretHash: string): CachedToken | undefined {
      const hit = bySecretHash.get(secretHash);
      if (!hit) return undefined;
      if (now() - hit.at > ttlMs) {
        this.forget([hit.token.tokenId]);
        return undefined;
      }
      return hit.token;
    },
    put(secretHash: string, token: CachedToken) {
      // Insertion order is age order: past the bound, drop the oldest.
      if (bySecretHash.size >= maxEntries) {
        const oldest = bySecretHash.keys().next().value;
        if (oldest !== undefined) this.forget([bySecretHash.get(oldest)!.token.tokenId]);
      }
      bySecretHash.set(secretHash, { token, at: now() });
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

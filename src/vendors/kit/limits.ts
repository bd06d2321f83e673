import type { Tarpit } from './tarpit';
import { createTokenBuckets, type TokenBuckets } from './token-bucket';

/**
 * The rate limits of one adapter, shared by every mount of it (prefix and own port), so a second
 * port is no way around them. Calls with valid credentials spend their app's budget; calls without
 * (token grants, open registration, failed authentication) spend their client address's anonymous
 * budget, shared by all adapters, so junk traffic never drains an app's.
 */
export interface AdapterLimits {
  perApp: TokenBuckets;
  anonymous: TokenBuckets;
  tarpit: Tarpit;
}

export function createAdapterLimits(perAppPerSecond: number, anonymous: TokenBuckets, tarpit: Tarpit): AdapterLimits {
  return { perApp: createTokenBuckets(perAppPerSecond), anonymous, tarpit };
}

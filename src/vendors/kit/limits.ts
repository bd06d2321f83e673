import type { Tarpit } from './tarpit';
import type { TokenBuckets } from './token-bucket';

/**
 * The rate limits of one adapter, shared by every mount of it (prefix and own port), so a second
 * port is no way around them. Calls with valid credentials spend their app's budget; calls without
 * (token grants, open registration, failed authentication) spend their client address's anonymous
 * budget, shared by all adapters, so junk traffic never drains an app's. Built by the composition
 * root (app/index.ts): in memory, or in Redis for the whole deployment.
 */
export interface AdapterLimits {
  perApp: TokenBuckets;
  anonymous: TokenBuckets;
  tarpit: Tarpit;
}

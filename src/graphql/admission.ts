import { recordRefusal } from '../observability/metrics';
import type { SurfacePort as Services } from '../ports/surface';
import { isAccount, type Log as Logger, type Principal, type RequestContext } from '../domain/context';
import { DomainError } from '../domain/errors';
import { contextFromAuthorization } from './auth';

/** Token buckets by key (the same shape the vendor kit uses; built by the composition root). */
export interface Buckets {
  take(key: string): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number; failing?: boolean }>;
  refund(key: string): void;
  /** A failed authentication costs more than one request (ANONYMOUS_FAILURE_COST). */
  failed(key: string): void;
}

export interface GraphqlRateLimits {
  /** Per app or user principal. */
  perPrincipal: Buckets;
  /** Per client address, for calls without credentials known good in advance (shared with the vendor adapters). */
  anonymous: Buckets;
  addressKey(ip: string): string;
  /** A new WebSocket's own subscribe budget (GRAPHQL_WS_SUBSCRIBE_RATE after a burst). */
  perSocket(): { take(): { ok: true } | { ok: false; retryAfterSeconds: number } };
  /** Where refusals of an address in debt from failures wait before they are answered. */
  tarpit: { hold(seconds: number): Promise<void> };
}

const refused = (r: { retryAfterSeconds: number }) => (
  recordRefusal('rate'),
  new DomainError('RATE_LIMITED', 'too many requests', { retryAfterSeconds: r.retryAfterSeconds })
);

/** The per-principal budget's key: one budget for an app or user over HTTP and WebSocket together. */
export const principalKey = (p: Principal) => (p.kind === 'app' ? `app:${p.appId}` : isAccount(p) ? `user:${p.userId}` : undefined);

/**
 * Authentication with rate limits around it, as the vendor kit does it: a request whose token is
 * not known good pays its address's anonymous budget before any database work (a token scanner is
 * slowed down, and never spends an app's budget); once it proves to be an app or user, that is
 * refunded and the principal's own budget is spent. The operator is not limited.
 */
export type GraphqlAdmit = ReturnType<typeof createGraphqlAdmission>;

export function createGraphqlAdmission(services: Services, limits: GraphqlRateLimits) {
  return async function admit(authorization: unknown, ip: string, log: Logger, requestId: string): Promise<RequestContext> {
    const address = limits.addressKey(ip);
    const known = services.credentials.isKnownBearer(authorization);
    if (!known) {
      const paid = await limits.anonymous.take(address);
      if (!paid.ok) {
        if (paid.failing) await limits.tarpit.hold(paid.retryAfterSeconds);
        throw refused(paid);
      }
    }
    const ctx = await contextFromAuthorization(services, authorization, log, requestId).catch((e: unknown) => {
      if (!known && e instanceof DomainError && e.code === 'UNAUTHENTICATED') limits.anonymous.failed(address);
      throw e;
    });
    ctx.clientAddress = address;
    const p = ctx.principal;
    if (p.kind === 'app' || isAccount(p)) {
      if (!known) limits.anonymous.refund(address);
      const taken = await limits.perPrincipal.take(principalKey(p)!);
      if (!taken.ok) throw refused(taken);
    }
    return ctx;
  };
}

import type { BaseLogger, Bindings } from 'pino';

/** Who is making the request, as established by whichever adapter received it. */
export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'operator' }
  /** A supergraph gateway reading the subgraph's schema (GRAPHQL_GATEWAY_TOKEN); no service admits it. */
  | { kind: 'gateway' }
  /** `clientId`: the app was proven as that OAuth client of its own (client credentials). */
  | { kind: 'app'; appId: string; tokenId: string; expiresAt: Date | null; clientId?: string }
  | { kind: 'user'; appId: string; userId: string; tokenId: string; expiresAt: Date | null }
  /**
   * A store's customer (signed in without credentials, as customer service allows): an account of
   * its own namespace that reaches only its customer-service conversations. Services that do not
   * name it refuse it.
   */
  | { kind: 'customer'; appId: string; userId: string; tokenId: string; expiresAt: Date | null };

/** The logging surface services use; satisfied by pino and by Fastify's request logger. */
export type Log = Pick<BaseLogger, 'level' | 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'> & {
  child(bindings: Bindings): Log;
};

/**
 * Per-request batch loaders. The domain core names none of the areas: the composition root
 * declares the loaders it builds (src/app/loaders.ts) by merging into this interface.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Loaders {}

/** Passed to every service call: the caller, per-request batch loaders and a request-scoped logger. */
export interface RequestContext {
  /** Set when the context is made, from credentials (credentials/service.ts); never assigned. */
  readonly principal: Principal;
  loaders: Loaders;
  log: Log;
  requestId: string;
  /** The client's address key (rate limits, login throttling), where the surface knows it. */
  clientAddress?: string;
}

/**
 * The same request acting as a proven principal. Only the kit's admission and GraphQL's
 * authentication call it, with what the credential check returned (lint refuses it elsewhere).
 */
export function asPrincipal(ctx: RequestContext, principal: Principal): RequestContext {
  return { ...ctx, principal };
}

export type AppPrincipal = Extract<Principal, { kind: 'app' }>;
export type UserPrincipal = Extract<Principal, { kind: 'user' }>;
export type CustomerPrincipal = Extract<Principal, { kind: 'customer' }>;

/** A principal that is one account talking in conversations: a user, or a customer (customer service only). */
export function isAccount(p: Principal): p is UserPrincipal | CustomerPrincipal {
  return p.kind === 'user' || p.kind === 'customer';
}

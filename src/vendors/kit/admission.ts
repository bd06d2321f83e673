import { recordRefusal } from '../../observability/metrics';
import type { FastifyRequest } from 'fastify';
import { asPrincipal, isAccount, type Log } from '../../domain/context';
import { DomainError, isCredentialFailure } from '../../domain/errors';
import { VendorError } from './errors';
import { clientAddressKey } from './client-address';
import type { Dialect, KitCall } from './dialect';
import type { KitDeps } from './deps';

/**
 * Rate limits around authentication. A request without credentials known good in advance pays
 * its address's anonymous budget before any database work (junk is refused cheaply, and never
 * touches an app's budget); once it proves to be an app or user, that is refunded and the app's
 * budget is spent instead.
 */
export function createAdmission<Access extends string, Call extends KitCall, Result>(
  dialect: Dialect<Access, Call, Result>,
  deps: KitDeps,
) {
  return async function admit(req: FastifyRequest, access: Access, started: number): Promise<Call> {
    const { anonymous, perApp } = deps.limits;
    const address = clientAddressKey(req.ip);
    const prepaid = !dialect.hasKnownCredentials(req);
    if (prepaid) {
      const paid = await anonymous.take(address);
      if (!paid.ok) {
        if (paid.failing) await deps.limits.tarpit.hold(paid.retryAfterSeconds);
        throw rateLimited(paid);
      }
    }
    const ctx = deps.services.anonymousContext(req.log, req.id);
    ctx.clientAddress = address;
    // A refusal of wrong credentials is charged by the router (charged()), here or in the handler.
    const call = await dialect.authenticate(req, access, { ctx, started, as: (principal) => asPrincipal(ctx, principal) });
    const p = call.ctx.principal;
    if (p.kind === 'app' || isAccount(p)) {
      if (prepaid) anonymous.refund(address);
      const taken = await perApp.take(p.appId);
      if (!taken.ok) throw rateLimited(taken);
    } else if (!prepaid) {
      // Known credentials the route does not use (a token grant, say) buy nothing: anonymous pays.
      const paid = await anonymous.take(address);
      if (!paid.ok) throw rateLimited(paid);
    }
    return call;
  };
}

/**
 * Charges the address of a request refused for wrong credentials (in authentication or in a
 * handler: a token grant, a link) the cost of a failed authentication, so that guesses on every
 * adapter cost what they cost on GraphQL, and its later refusals wait in the tarpit.
 */
export function chargeCredentialFailure(deps: KitDeps, req: FastifyRequest, e: unknown, call: KitCall | undefined) {
  const wrong = (e instanceof VendorError && e.credentialFailure) || isCredentialFailure(e);
  const principal = call?.ctx.principal.kind ?? 'anonymous';
  if (wrong && principal === 'anonymous') deps.limits.anonymous.failed(clientAddressKey(req.ip));
}

/**
 * The login of a realtime socket (a vendor protocol's first frame): the HTTP request's rules. The
 * address pays its anonymous budget (refusals of a failing address wait in the tarpit), the bearer
 * secret is proven by the credential check, a wrong one is charged, and a proven app or user
 * spends its app's budget instead. Returns the socket's context, acting as what was proven.
 */
export async function admitSocket(deps: KitDeps, from: { address: string; log: Log; requestId: string }, secret: string) {
  const { anonymous, perApp, tarpit } = deps.limits;
  const address = clientAddressKey(from.address);
  const paid = await anonymous.take(address);
  if (!paid.ok) {
    if (paid.failing) await tarpit.hold(paid.retryAfterSeconds);
    throw rateLimited(paid);
  }
  const ctx = deps.services.anonymousContext(from.log, from.requestId);
  ctx.clientAddress = address;
  const principal = await deps.services.credentials.bearer(ctx, secret).catch((e: unknown) => {
    if (isCredentialFailure(e)) anonymous.failed(address);
    throw e;
  });
  if (principal.kind === 'app' || isAccount(principal)) {
    anonymous.refund(address);
    const taken = await perApp.take(principal.appId);
    if (!taken.ok) throw rateLimited(taken);
  }
  return asPrincipal(ctx, principal);
}

function rateLimited(refused: { retryAfterSeconds: number }): DomainError {
  recordRefusal('rate');
  return new DomainError('RATE_LIMITED', 'too many requests', { retryAfterSeconds: refused.retryAfterSeconds });
}

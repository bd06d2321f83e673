import type { RequestContext } from '../domain/context';
import { forbidden, invalidInput, notFound, unauthenticated } from '../domain/errors';
import type { UserDoc } from './model';
import type { UserRef, UserStore } from './store';

/** The app an operation runs in: the principal's, or for the operator an explicit one. */
export function scopeApp(ctx: RequestContext, explicitAppId?: string | null): string {
  const p = ctx.principal;
  if (p.kind === 'app' || p.kind === 'user') {
    if (explicitAppId && explicitAppId !== p.appId) throw notFound('app');
    return p.appId;
  }
  if (p.kind === 'operator' && explicitAppId) return explicitAppId;
  if (p.kind === 'operator') throw invalidInput('appId is required for the operator', 'appId');
  throw unauthenticated();
}

export function requireAppPrincipal(ctx: RequestContext): string {
  const p = ctx.principal;
  if (p.kind === 'app') return p.appId;
  if (p.kind === 'user') throw forbidden('this operation needs an app token');
  throw unauthenticated('an app token is required');
}

/** The target of a write: the user principal itself, or any user of an app principal's app. */
export async function writableTarget(store: UserStore, ctx: RequestContext, ref: UserRef | null | undefined): Promise<UserDoc> {
  const p = ctx.principal;
  if (p.kind !== 'app' && p.kind !== 'user') throw unauthenticated();
  const hasRef = !!ref && (!!ref.id || !!ref.username);
  if (ref && ref.id && ref.username) throw invalidInput('give either id or username, not both', 'user');
  if (!hasRef && p.kind === 'app') throw invalidInput('user is required with an app token', 'user');
  const doc = await store.findByRef(p.appId, hasRef ? ref! : { id: (p as { userId: string }).userId });
  if (!doc) throw notFound('user');
  if (p.kind === 'user' && doc._id.toHexString() !== p.userId) throw forbidden('a user token acts only on its own user');
  return doc;
}

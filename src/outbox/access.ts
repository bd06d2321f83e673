import { isObjectIdHex } from '../db/ids';
import type { RequestContext } from '../domain/context';
import { forbidden, invalidInput, notFound, unauthenticated } from '../domain/errors';
import { checkUrl } from '../domain/validators';
import { BlockedAddressError, checkLiteralHost } from './address-guard';

/** The app whose outbox the caller manages: an app token's own, or the one the operator names. */
export function managedApp(ctx: RequestContext, appId?: string | null): string {
  const p = ctx.principal;
  if (p.kind === 'app') {
    if (appId && appId !== p.appId) throw notFound('app', { field: 'appId' });
    return p.appId;
  }
  if (p.kind === 'operator') {
    if (!appId) throw invalidInput('appId is required for the operator', 'appId');
    if (!isObjectIdHex(appId)) throw notFound('app', { field: 'appId' });
    return appId;
  }
  if (p.kind === 'user') throw forbidden('the outbox is managed with an app token');
  throw unauthenticated();
}

/** An endpoint of another app is simply not found; users and anonymous callers are refused as by managedApp. */
export function ownedBy(ctx: RequestContext, appId: string, what: string): void {
  const p = ctx.principal;
  if (p.kind === 'app' && p.appId !== appId) throw notFound(what, { field: 'id' });
  managedApp(ctx, appId);
}

/** A destination URL as saved: http(s), and not a private address literal unless allowed (names are checked again when dialled). */
export function checkDestinationUrl(url: string, field: string, allowPrivate: boolean): string {
  checkUrl(url, field);
  try {
    checkLiteralHost(new URL(url).hostname, allowPrivate);
  } catch (e) {
    if (e instanceof BlockedAddressError) throw invalidInput(`${field}: ${e.message}`, field, 'private_destination');
    throw e;
  }
  return url;
}

/** Per-app lists read once and kept until an event says the app's list changed (on any instance). */
export function perAppCache<T>(load: (appId: string) => Promise<T[]>) {
  const cache = new Map<string, Promise<T[]>>();
  return {
    get(appId: string): Promise<T[]> {
      let hit = cache.get(appId);
      if (!hit) {
        // A real promise (a mongoose query would run again on every await).
        hit = Promise.resolve().then(() => load(appId));
        cache.set(appId, hit);
        hit.catch(() => cache.delete(appId));
      }
      return hit;
    },
    forget(appId: string) {
      cache.delete(appId);
    },
  };
}

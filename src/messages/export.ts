import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RequestContext } from '../domain/context';
import { invalidInput } from '../domain/errors';
import { requireAppPrincipal } from '../users/access';
import type { MessageRecord } from './records';
import type { MessageStore } from './store';

/** `yyyyMMddHH` (UTC) as the hour it names; anything else (or an hour that is not one) is invalid. */
export function parseHour(text: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})$/.exec(text);
  const at = m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!)) : null;
  if (!m || !at || at.getUTCMonth() !== +m[2]! - 1 || at.getUTCDate() !== +m[3]! || at.getUTCHours() !== +m[4]!)
    throw invalidInput('time must be an hour as yyyyMMddHH (UTC)', 'time');
  return at;
}

const HOUR_MS = 3_600_000;

export type HistoryExport = ReturnType<typeof createHistoryExport>;

/**
 * An app's messages of one hour, behind expiring signed links: the link names the app, the hour
 * and its expiry, and an HMAC of the three under a key of the server's own (never an app secret),
 * so it can be handed to a downloader that holds no token. The file is made when it is fetched.
 */
export function createHistoryExport(deps: {
  store: Pick<MessageStore, 'ofAppBetween' | 'appPage'>;
  keyMaterial: string;
  ttlSeconds: number;
}) {
  const key = createHmac('sha256', deps.keyMaterial).update('history export v1').digest();
  const sign = (appId: string, hour: string, expires: number) =>
    createHmac('sha256', key).update(`${appId}\n${hour}\n${expires}`).digest('base64url');

  return {
    /** App tokens: a signature valid for `ttlSeconds` from now; `expires` in epoch seconds. */
    link(ctx: RequestContext, hour: string, now = Date.now()): { expires: number; signature: string } {
      const appId = requireAppPrincipal(ctx);
      parseHour(hour);
      const expires = Math.floor(now / 1000) + deps.ttlSeconds;
      return { expires, signature: sign(appId, hour, expires) };
    },

    /** System (the credential check): whether a link is genuine and not yet expired (compared in constant time). */
    verify(appId: string, hour: string, expires: number, signature: string, now = Date.now()): boolean {
      if (!Number.isSafeInteger(expires) || expires * 1000 < now) return false;
      const want = Buffer.from(sign(appId, hour, expires));
      const got = Buffer.from(signature);
      return got.length === want.length && timingSafeEqual(got, want);
    },

    /** The hour's messages of the caller's app (an app token, or a download link proven as one), oldest first. */
    messages(ctx: RequestContext, hour: string) {
      const appId = requireAppPrincipal(ctx);
      const from = parseHour(hour);
      return deps.store.ofAppBetween(appId, from, new Date(from.getTime() + HOUR_MS));
    },

    /**
     * App tokens: a page of the app's messages in time order within `bounds`, continuing after
     * `cursor` (made by `cursorAfter`); `more` says whether messages follow.
     */
    async page(ctx: RequestContext, q: HistoryPageQuery): Promise<{ messages: MessageRecord[]; more: boolean }> {
      const appId = requireAppPrincipal(ctx);
      if (!Number.isInteger(q.limit) || q.limit < 1 || q.limit > MAX_HISTORY_PAGE)
        throw invalidInput(`limit must be 1 to ${MAX_HISTORY_PAGE}`, 'limit');
      const after = q.cursor ? parseCursor(q.cursor, q.ascending) : null;
      const bounds = Object.fromEntries(Object.entries(q.bounds).map(([op, ms]) => [op, new Date(ms)]));
      const found = await deps.store.appPage(appId, bounds, q.ascending, after, q.limit);
      return { messages: found.slice(0, q.limit), more: found.length > q.limit };
    },
  };
}

/** The largest page `page` reads at once (the vendor's history query answered at most 1,000). */
export const MAX_HISTORY_PAGE = 1_000;

export interface HistoryPageQuery {
  /** Epoch milliseconds. */
  bounds: { $gt?: number; $gte?: number; $lt?: number; $lte?: number };
  ascending: boolean;
  cursor?: string | null;
  limit: number;
}

/** An opaque position after a message, in one direction. */
export const cursorAfter = (m: MessageRecord, ascending: boolean) =>
  Buffer.from(`${ascending ? 'a' : 'd'}:${m.createdAt.getTime()}:${m.id}`).toString('base64url');

function parseCursor(cursor: string, ascending: boolean): { at: Date; id: string } {
  const m = /^([ad]):(\d{1,15}):([0-9a-f]{24})$/.exec(Buffer.from(cursor.slice(0, 200), 'base64url').toString());
  if (!m || (m[1] === 'a') !== ascending) throw invalidInput('cursor is not one this query returned', 'cursor');
  return { at: new Date(Number(m[2])), id: m[3]! };
}

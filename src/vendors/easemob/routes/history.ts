import { z } from 'zod';
import { cursorAfter, MAX_HISTORY_PAGE } from '../../../messages/export';
import type { MessageRecord } from '../../../messages/records';
import { spec } from '../contract';
import type { EasemobRoutes } from '../dialect';
import { derivedUuid } from '../entity';
import { echoParams, envelope } from '../envelope';
import { createAddressBook, vendorMessage } from '../message-format';
import { matches, parseQl, timeBounds } from '../ql';

/** Messages looked at per request when a condition filters beyond time (the rest comes with the cursor). */
const SCAN_BUDGET = 5_000;
const DEFAULT_LIMIT = 10;

export const historyContract = {
  query: spec({
    method: 'GET',
    path: '/:org_name/:app_name/chatmessages',
    access: 'app',
    query: z.object({
      ql: z.string().max(1_024).optional(),
      limit: z.coerce.number().int().min(1).max(MAX_HISTORY_PAGE, `limit must be at most ${MAX_HISTORY_PAGE}`).optional(),
      cursor: z.string().max(200).optional(),
    }),
  }),
};

/** A message id as a Usergrid entity uuid (stable, derived). */
const entityUuid = (id: string) => derivedUuid('easemob-chatmessage', id);

/**
 * The legacy history query, `GET /chatmessages?ql=select * where timestamp<…&limit=&cursor=`:
 * `entities` of `chatmessage`s in time order (ascending unless `order by timestamp desc`), and a
 * `cursor` when more follow. Time bounds go to the database; other conditions (`from`, `to`,
 * `or`) are checked on each message, at most SCAN_BUDGET per request.
 */
export function registerHistoryRoutes({ route, services }: EasemobRoutes) {
  const { historyExport, conversations, users } = services;

  route(historyContract.query, async (call, { query }) => {
    const { where, ascending } = parseQl(query.ql);
    const limit = query.limit ?? DEFAULT_LIMIT;
    const bounds = timeBounds(where);
    const addressOf = createAddressBook(call.ctx, conversations, users);
    const entities: Record<string, unknown>[] = [];
    let cursor = query.cursor ?? null;
    let more = true;
    let last: MessageRecord | null = null;
    for (let scanned = 0; more && entities.length < limit && scanned < SCAN_BUDGET;) {
      const size = where ? Math.min(MAX_HISTORY_PAGE, Math.max(limit, 200)) : limit - entities.length;
      const page = await historyExport.page(call.ctx, { bounds, ascending, cursor, limit: size });
      more = page.more;
      for (const [i, m] of page.messages.entries()) {
        scanned++;
        last = m;
        const address = await addressOf(m);
        const v = address && vendorMessage(m, address);
        if (v && matches(where, v)) {
          const at = m.createdAt.getTime();
          entities.push({ uuid: entityUuid(m.id), type: 'chatmessage', created: at, modified: at, ...v });
        }
        if (entities.length === limit) {
          more ||= i < page.messages.length - 1;
          break;
        }
      }
      if (last) cursor = cursorAfter(last, ascending);
    }
    return envelope('get', {
      path: '/chatmessages',
      uri: 'request',
      params: echoParams(call.rawQuery),
      entities,
      count: entities.length,
      ...(more && cursor ? { cursor } : {}),
    });
  });
}

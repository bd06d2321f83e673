import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { z } from 'zod';
import type { ConversationRecord } from '../../../conversations/records';
import { parseHour } from '../../../messages/export';
import { appPath, spec } from '../contract';
import type { EasemobRoutes } from '../dialect';
import type { EasemobCall } from '../envelope';
import { envelope, file } from '../envelope';
import { addressingOf, vendorMessage, type Addressing } from '../message-format';

const hourPath = z.object({ ...appPath, time: z.string().regex(/^\d{10}$/, 'time must be yyyyMMddHH') });

export const exportContract = {
  link: spec({ method: 'GET', path: '/:org_name/:app_name/chatmessages/:time', access: 'app', params: hourPath }),
  /** The signed link itself: no token, as the vendor's storage links need none. */
  download: spec({
    method: 'GET',
    path: '/:org_name/:app_name/chatmessages/:time/download',
    access: 'signed-link',
    params: hourPath,
    query: z.object({ Expires: z.coerce.number().int(), Signature: z.string().max(128) }),
  }),
};

/** History export: `GET /chatmessages/{yyyyMMddHH}` answers a link to a gzip of JSON lines. */
export function registerExportRoutes({ route, services }: EasemobRoutes) {
  const { historyExport, conversations } = services;

  route(exportContract.link, async (call, { params }) => {
    parseHour(params.time);
    const { expires, signature } = historyExport.link(call.ctx, params.time);
    const url = `${call.base}/chatmessages/${params.time}/download?Expires=${expires}&Signature=${signature}`;
    return envelope('get', { path: '/chatmessages', uri: 'request', data: [{ url }] });
  });

  // The dialect proved the link (access 'signed-link'); it reads that hour only.
  route(exportContract.download, async (call, { params }) => {
    const lines = exportLines(call, params.time);
    return file(Readable.from(lines).pipe(createGzip()), {
      'content-type': 'application/gzip',
      'content-disposition': `attachment; filename="${params.time}.gz"`,
      'cache-control': 'private, no-store',
    });
  });

  /** The hour's messages, one vendor-format JSON object per line. */
  async function* exportLines(call: EasemobCall, hour: string): AsyncGenerator<string> {
    const where = new Map<string, Omit<Addressing, 'from'>>();
    const { ctx } = call;
    for await (const m of historyExport.messages(ctx, hour)) {
      const conversation: ConversationRecord | null = await ctx.loaders.conversationById.load(m.conversationId);
      if (!conversation) continue;
      const key = conversation.kind === 'group' || conversation.kind === 'room' ? conversation.id : `${conversation.id}:${m.senderId}`;
      let to = where.get(key);
      if (!to) where.set(key, (to = await addressingOf(ctx, conversations, conversation, m.senderId)));
      if (where.size > 10_000) where.clear();
      const from = m.senderId ? ((await ctx.loaders.userById.load(m.senderId))?.username ?? '') : 'admin';
      yield `${JSON.stringify(vendorMessage(m, { from, ...to }))}\n`;
    }
  }
}

import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { z } from 'zod';
import { parseHour } from '../../../messages/export';
import { appPath, spec } from '../contract';
import type { EasemobRoutes } from '../dialect';
import type { EasemobCall } from '../envelope';
import { envelope, file } from '../envelope';
import { createAddressBook, vendorMessage } from '../message-format';

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
  const { historyExport, conversations, users } = services;

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
    const addressOf = createAddressBook(call.ctx, conversations, users);
    for await (const m of historyExport.messages(call.ctx, hour)) {
      const address = await addressOf(m);
      if (address) yield `${JSON.stringify(vendorMessage(m, address))}\n`;
    }
  }
}

import { z } from 'zod';
import { appPath, spec } from '../contract';
import type { EasemobRoutes } from '../dialect';
import { envelope, file } from '../envelope';
import { illegalArgument } from '../errors';
import { firstFile, isMultipart } from '../multipart';

export const chatfilesContract = {
  upload: spec({ method: 'POST', path: '/:org_name/:app_name/chatfiles', access: 'member' }),
  download: spec({
    method: 'GET',
    path: '/:org_name/:app_name/chatfiles/:uuid',
    access: 'file',
    params: z.object({ ...appPath, uuid: z.string().max(64) }),
    // The web SDK's file URLs: `?em-redirect=true&share-secret=…[&thumbnail=true]` (an <img> sends no headers).
    query: z.object({ 'share-secret': z.string().max(200).optional(), thumbnail: z.string().max(8).optional() }),
  }),
};

/** Served types: media as stored, anything else as bytes (never a page the browser would run). */
const servedType = (t: string) => (/^(image\/(?!svg)|audio\/|video\/)/.test(t) ? t : 'application/octet-stream');

/**
 * Chat files, as the vendor's client SDKs use them: upload (`restrict-access` header, multipart
 * field `file`) answering `entities[0]` with `uuid`, `type: chatfile` and `share-secret`; download
 * by uuid with that secret in the `share-secret` header or a token of the app, and `thumbnail:
 * true` for an image's thumbnail.
 */
export function registerChatFileRoutes({ route, services }: EasemobRoutes) {
  const { files } = services;

  route(chatfilesContract.upload, async (call, { body }) => {
    if (!isMultipart(body)) throw illegalArgument('upload the file as multipart/form-data, in the field "file"');
    const part = await firstFile(body, files.maxUploadBytes());
    const restricted = String(call.headers['restrict-access'] ?? 'false').toLowerCase() === 'true';
    const stored = await files.upload(call.ctx, { filename: part.filename, contentType: part.mimeType, data: part.data, restricted });
    return envelope('post', {
      path: '/chatfiles',
      entities: [{ uuid: stored.uuid, type: 'chatfile', 'share-secret': stored.secret }],
    });
  });

  route(chatfilesContract.download, async (call, { params, query }) => {
    const secret = call.headers['share-secret'] ?? query['share-secret'];
    const thumbnail = String(call.headers.thumbnail ?? query.thumbnail ?? 'false').toLowerCase() === 'true';
    const got = await files.download(call.ctx, call.app.id, params.uuid, { secret: typeof secret === 'string' ? secret : null, thumbnail });
    return file(got.stream, {
      'content-type': servedType(got.contentType),
      'content-length': String(got.length),
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(got.filename)}`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'cache-control': 'private, max-age=3600',
    });
  });
}

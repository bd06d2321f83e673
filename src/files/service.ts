import crypto from 'node:crypto';
import { Types } from 'mongoose';
import { safeEqual } from '../apps/credentials';
import sharp from 'sharp';
import type { RequestContext } from '../domain/context';
import { DomainError, invalidInput, notFound, unauthenticated } from '../domain/errors';
import type { ChatFileDoc } from './model';
import type { ChatFileStore } from './store';

export interface ChatFileLimits {
  /** Largest file one upload stores. */
  maxBytes: number;
  /** Bytes one app may store in all (thumbnails included). */
  appQuotaBytes: number;
}

/** An image's thumbnail fits in this square (the vendor's thumbnails are of this order). */
export const THUMBNAIL_EDGE = 170;
/** Images larger than this many pixels get no thumbnail (decoding one costs about 4 bytes a pixel). */
const MAX_THUMBNAIL_INPUT_PIXELS = 25_000_000;
// Thumbnails are made once per upload: sharp's own cache would only hold memory.
sharp.cache(false);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type ChatFileService = ReturnType<typeof createChatFileService>;

/** A name safe to store and to echo in a header: no path, no control characters, bounded. */
const cleanName = (name: string) => (name.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f"]/g, '').slice(0, 200) || 'file';
const cleanType = (type: string) => (/^[\w.+-]{1,64}\/[\w.+-]{1,64}$/.test(type) ? type.toLowerCase() : 'application/octet-stream');

async function thumbnailOf(data: Buffer, contentType: string): Promise<Buffer | null> {
  if (!contentType.startsWith('image/')) return null;
  try {
    return await sharp(data, { limitInputPixels: MAX_THUMBNAIL_INPUT_PIXELS })
      .rotate()
      .resize(THUMBNAIL_EDGE, THUMBNAIL_EDGE, { fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 80 })
      .toBuffer();
  } catch {
    return null; // not an image after all, or too large to decode: served without a thumbnail
  }
}

/**
 * Chat files (images, voice, video, documents that messages point at). An app or one of its users
 * uploads; a download needs a token of the app or the file's share secret, never neither.
 */
export function createChatFileService(deps: { store: ChatFileStore; limits: ChatFileLimits }) {
  const { store, limits } = deps;
  const full = () => new DomainError('INVALID_INPUT', "the app's file storage is full", { field: 'file', reason: 'quota_exceeded' });
  // Bytes of the uploads under way on this instance, per app: each upload's quota check counts the
  // ones that started before it, so that uploads racing each other cannot overshoot together.
  const underWay = new Map<string, number>();
  const release = (appId: string, bytes: number) => {
    const left = (underWay.get(appId) ?? 0) - bytes;
    if (left > 0) underWay.set(appId, left);
    else underWay.delete(appId);
  };

  /** Writes an upload that passed its quota check (`upload`'s second half; no method: it checks no caller). */
  async function write(
    appId: string,
    uploaderId: string | null,
    input: { filename: string; contentType: string; data: Buffer; thumbnail: Buffer | null; storedBytes: number; restricted: boolean },
  ) {
    const { filename, contentType, thumbnail, storedBytes } = input;
    const blobId = await store.writeBlob(filename, contentType, input.data);
    const thumbnailId = thumbnail ? await store.writeBlob(`thumbnail-${filename}`, 'image/jpeg', thumbnail) : null;
    const doc: ChatFileDoc = {
      _id: crypto.randomUUID(),
      appId: new Types.ObjectId(appId),
      uploaderId: uploaderId ? new Types.ObjectId(uploaderId) : null,
      secret: crypto.randomBytes(36).toString('base64url'),
      restricted: input.restricted,
      filename,
      contentType,
      size: input.data.length,
      blobId,
      thumbnailId,
      storedBytes,
      createdAt: new Date(),
    };
    const discard = async () => {
      await store.deleteBlob(blobId);
      if (thumbnailId) await store.deleteBlob(thumbnailId);
    };
    await store.insert(doc).catch(async (e: unknown) => {
      await discard();
      throw e;
    });
    // An upload on another instance may have passed its check beside this one: what is stored must
    // fit, else this one goes (both may go then: the quota is never exceeded).
    if ((await store.storedBytes(appId)) > limits.appQuotaBytes) {
      await store.remove(appId, doc._id);
      await discard();
      throw full();
    }
    return { uuid: doc._id, secret: doc.secret, restricted: doc.restricted, size: doc.size, filename, contentType };
  }

  return {
    /** The largest upload (for a surface bounding what it reads before calling upload). */
    maxUploadBytes: () => limits.maxBytes,

    async upload(ctx: RequestContext, input: { filename: string; contentType: string; data: Buffer; restricted: boolean }) {
      const p = ctx.principal;
      if (p.kind !== 'app' && p.kind !== 'user') throw unauthenticated('an app or user token is required to upload files');
      if (input.data.length === 0) throw invalidInput('the file is empty', 'file');
      if (input.data.length > limits.maxBytes)
        throw new DomainError('INVALID_INPUT', `a file may have at most ${limits.maxBytes} bytes`, { field: 'file', reason: 'too_large' });
      const filename = cleanName(input.filename);
      const contentType = cleanType(input.contentType);
      const thumbnail = await thumbnailOf(input.data, contentType);
      const storedBytes = input.data.length + (thumbnail?.length ?? 0);
      const ahead = underWay.get(p.appId) ?? 0;
      underWay.set(p.appId, ahead + storedBytes);
      try {
        if ((await store.storedBytes(p.appId)) + ahead + storedBytes > limits.appQuotaBytes) throw full();
        return await write(p.appId, p.kind === 'user' ? p.userId : null, {
          filename,
          contentType,
          data: input.data,
          thumbnail,
          storedBytes,
          restricted: input.restricted,
        });
      } finally {
        release(p.appId, storedBytes);
      }
    },

    /**
     * A file of app `appId`, or its thumbnail (the file itself when it has none). A caller without
     * a token of that app must give the share secret; to such a caller a wrong secret and a file
     * that does not exist look the same.
     */
    async download(ctx: RequestContext, appId: string, uuid: string, o: { secret?: string | null; thumbnail?: boolean }) {
      const p = ctx.principal;
      const ofApp = (p.kind === 'app' || p.kind === 'user') && p.appId === appId;
      const doc = UUID.test(uuid) ? await store.find(appId, uuid) : null;
      if (!ofApp && !(doc && o.secret && safeEqual(doc.secret, o.secret)))
        throw unauthenticated("this file needs its share-secret or a token of the file's app");
      if (!doc) throw notFound('file', { field: 'uuid' });
      const thumb = o.thumbnail && doc.thumbnailId ? doc.thumbnailId : null;
      return {
        stream: store.readBlob(thumb ?? doc.blobId),
        contentType: thumb ? 'image/jpeg' : doc.contentType,
        length: thumb ? doc.storedBytes - doc.size : doc.size,
        filename: thumb ? `thumbnail-${doc.filename}` : doc.filename,
      };
    },
  };
}

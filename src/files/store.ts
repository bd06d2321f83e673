import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mongo, Types, type Connection } from 'mongoose';
import type { ChatFileDoc, ChatFileModel } from './model';

export type ChatFileStore = ReturnType<typeof createChatFileStore>;

/**
 * The only code that touches chat files: metadata in `chat_files`, bytes in the GridFS bucket
 * `chatfiles` (so every instance sharing the database serves every file, with no shared disk).
 */
export function createChatFileStore(connection: Connection, files: ChatFileModel) {
  const bucket = () => new mongo.GridFSBucket(connection.db!, { bucketName: 'chatfiles' });

  return {
    /** Writes bytes as one GridFS file; its id. */
    async writeBlob(filename: string, contentType: string, data: Buffer): Promise<Types.ObjectId> {
      const id = new Types.ObjectId();
      const upload = bucket().openUploadStreamWithId(id, filename, { metadata: { contentType } });
      try {
        await pipeline(Readable.from([data]), upload);
      } catch (e) {
        await bucket()
          .delete(id)
          .catch(() => undefined); // partial chunks go with it
        throw e;
      }
      return id;
    },
    async deleteBlob(id: Types.ObjectId) {
      await bucket()
        .delete(id)
        .catch(() => undefined);
    },
    readBlob: (id: Types.ObjectId) => bucket().openDownloadStream(id),

    insert: (doc: ChatFileDoc) => files.create(doc),
    remove: async (appId: string, uuid: string) => {
      await files.deleteOne({ _id: uuid, appId: new Types.ObjectId(appId) });
    },
    find: (appId: string, uuid: string) => files.findOne({ _id: uuid, appId }).lean<ChatFileDoc>(),

    /** Bytes an app stores (its quota's use). */
    async storedBytes(appId: string): Promise<number> {
      const [row] = await files.aggregate<{ total: number }>([
        { $match: { appId: new Types.ObjectId(appId) } },
        { $group: { _id: null, total: { $sum: '$storedBytes' } } },
      ]);
      return row?.total ?? 0;
    },
  };
}

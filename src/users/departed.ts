import { Schema, Types, type Connection } from 'mongoose';
import { inChunks } from '../db/batches';
import { isDuplicateKeyError } from '../db/errors';
import { isObjectIdHex } from '../db/ids';
import type { UserDoc } from './model';

interface DepartedDoc {
  _id: Types.ObjectId;
  appId: Types.ObjectId;
  username: string;
  deletedAt: Date;
}

const departedSchema = new Schema<DepartedDoc>(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    appId: { type: Schema.Types.ObjectId, required: true },
    username: { type: String, required: true },
    deletedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export type DepartedNames = ReturnType<typeof createDepartedNames>;

/**
 * The names deleted users had, kept so that history stays readable: an export or a vendor's
 * history query still says who a message was from and to, as the vendors' history does, after the
 * account is gone and its name is free for someone else. Only id → name; nothing else survives.
 */
export function createDepartedNames(connection: Connection) {
  const departed = connection.model<DepartedDoc>('DepartedUser', departedSchema, 'departed_users');
  return {
    async record(docs: UserDoc[]) {
      const rows = docs.map((d) => ({ _id: d._id, appId: d.appId, username: d.username, deletedAt: new Date() }));
      await inChunks(rows, (chunk) =>
        departed.insertMany(chunk, { ordered: false }).catch((e: unknown) => {
          if (!isDuplicateKeyError(e)) throw e; // a retried deletion: already recorded
        }),
      );
    },
    /** Names of departed users among `ids`, of one app. */
    async namesOf(appId: string, ids: readonly string[]): Promise<Map<string, string>> {
      const wanted = ids.filter(isObjectIdHex);
      if (wanted.length === 0) return new Map();
      const docs = await departed.find({ appId, _id: { $in: wanted } }).lean<DepartedDoc[]>();
      return new Map(docs.map((d) => [d._id.toHexString(), d.username]));
    },
  };
}

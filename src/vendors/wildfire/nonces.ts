import { Schema, type Connection, type Model } from 'mongoose';
import { deleteInBatches } from '../../db/batches';
import { isDuplicateKeyError } from '../../db/errors';

/**
 * Nonces seen in signed robot calls, kept in the database for the signature window so that neither
 * a restart nor a second instance reopens it: a Wildfire signature covers nonce and timestamp, not
 * the body, so refusing a repeated (rid, nonce) is the only defence against a replay.
 */
interface NonceDoc {
  _id: string;
  expiresAt: Date;
}

const nonceSchema = new Schema<NonceDoc>({ _id: String, expiresAt: { type: Date, required: true } }, { versionKey: false });

export type NonceModel = Model<NonceDoc>;

export const registerNonceModel = (connection: Connection): NonceModel =>
  connection.model<NonceDoc>('RobotNonce', nonceSchema, 'robot_nonces');

export type NonceLedger = ReturnType<typeof createNonceLedger>;

export function createNonceLedger(model: NonceModel, windowMs: number) {
  let nextSweep = 0;
  // MongoDB expires them itself; FerretDB 1.x has no TTL indexes ("not implemented"): the sweep below does it there.
  void model.collection.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 }).catch(() => undefined);
  return {
    /** True the first time (rid, nonce) is seen within the window; one insert against the unique _id. */
    async firstUse(rid: string, nonce: string): Promise<boolean> {
      const now = Date.now();
      // TTL indexes are not enforced everywhere (FerretDB 1.x): sweep expired ones now and then too.
      if (now >= nextSweep) {
        nextSweep = now + 60_000;
        void deleteInBatches(model.collection, { expiresAt: { $lt: new Date(now) } }).catch(() => undefined);
      }
      try {
        await model.collection.insertOne({ _id: `${rid.toLowerCase()}:${nonce}`, expiresAt: new Date(now + windowMs) } as never);
        return true;
      } catch (e) {
        if (isDuplicateKeyError(e)) return false;
        throw e;
      }
    },
  };
}

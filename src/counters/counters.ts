import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKeyError } from '../db/errors';

interface CounterDoc {
  _id: string;
  value: number;
}

const counterSchema = new Schema<CounterDoc>({ _id: String, value: { type: Number, required: true } }, { versionKey: false });

export type CounterModel = Model<CounterDoc>;

export function registerCounterModel(connection: Connection): CounterModel {
  return connection.model<CounterDoc>('Counter', counterSchema, 'counters');
}

/**
 * Allocates the next integer of a named sequence with one atomic upsert: no transaction needed,
 * safe under concurrent callers on MongoDB and FerretDB.
 */
export async function nextValue(counters: CounterModel, name: string, start = 1): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    try {
      const doc = await counters.findOneAndUpdate({ _id: name }, { $inc: { value: 1 } }, { upsert: true, returnDocument: 'after' }).lean();
      return start - 1 + doc!.value;
    } catch (e) {
      // Two first-ever upserts of one name race on the _id index; the loser simply retries.
      if (!isDuplicateKeyError(e) || attempt >= 3) throw e;
    }
  }
}

/**
 * Inserts a record numbered by the sequence `name`. FerretDB 1.x may hand a value out twice, so the
 * record's unique index decides: on a duplicate key the next value is drawn (at most 20 times).
 */
export async function insertNumbered<T>(counters: CounterModel, name: string, insert: (value: number) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const value = await nextValue(counters, name, 1);
    try {
      return await insert(value);
    } catch (e) {
      if (!isDuplicateKeyError(e) || attempt >= 20) throw e;
    }
  }
}

import type { Model } from 'mongoose';

/** A 24-hex ObjectId string; anything else cannot name a stored document (and must not reach a query). */
export const isObjectIdHex = (id: string) => /^[0-9a-f]{24}$/i.test(id);

/**
 * The batch function behind the per-request DataLoaders: one `$in` query, results in key order,
 * null where nothing (or an invalid id) was found.
 */
export async function findRecordsByIds<D extends { _id: { toHexString(): string } }, R>(
  model: Model<D>,
  ids: readonly string[],
  toRecord: (doc: D) => R,
): Promise<(R | null)[]> {
  const docs = (await model.find({ _id: { $in: ids.filter(isObjectIdHex) } } as never).lean()) as unknown as D[];
  const byId = new Map(docs.map((d) => [d._id.toHexString(), toRecord(d)]));
  return ids.map((id) => byId.get(id) ?? null);
}

import type { Model } from 'mongoose';

/** A 24-hex ObjectId string; anything else cannot name a stored document (and must not reach a query). */
export const isObjectIdHex = (id: string) => /^[0-9a-f]{24}$/i.test(id);

/**
 * Batch size for loader queries: the whole answer in the first reply (up to the 16 MiB limit), so a
 * batch costs one round trip instead of a find plus getMores past the driver's default of 101.
 */
export const ONE_BATCH = 100_000;

/**
 * The batch function behind the per-request DataLoaders: one `$in` query, results in key order,
 * null where nothing (or an invalid id) was found.
 */
export async function findRecordsByIds<D extends { _id: { toHexString(): string } }, R>(
  model: Model<D>,
  ids: readonly string[],
  toRecord: (doc: D) => R,
): Promise<(R | null)[]> {
  const valid = ids.filter(isObjectIdHex);
  // One key is the common case (authentication, single lookups): an equality is the cheaper query
  // (FerretDB pushes `_id` equality down to its storage, not `$in`).
  const docs = (valid.length === 1
    ? [await model.findOne({ _id: valid[0] } as never).lean()].filter(Boolean)
    : await model
        .find({ _id: { $in: valid } } as never)
        .batchSize(ONE_BATCH)
        .lean()) as unknown as D[];
  const byId = new Map(docs.map((d) => [d._id.toHexString(), toRecord(d)]));
  return ids.map((id) => byId.get(id) ?? null);
}

import type { Model } from 'mongoose';

/**
 * Documents per app in one aggregate for every app at once (not one count per app): the operator's
 * overview. FerretDB 1.x supports `$group` with `$sum`.
 */
export async function countPerApp(model: Model<any>): Promise<Map<string, number>> {
  const rows = await model.aggregate<{ _id: unknown; n: number }>([{ $group: { _id: '$appId', n: { $sum: 1 } } }]);
  return new Map(rows.map((r) => [String(r._id), r.n]));
}

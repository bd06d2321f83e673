import type { Collection } from 'mongoose';

/**
 * The most documents one write command may touch (DB_WRITE_BATCH). FerretDB 1.24 holds storage
 * rows open for each document of a command, from a pool of 100 connections: measured on this
 * machine, a bulkWrite of 100 updates by _id wedged it (two runs of two), 75 did not; 25 leaves
 * room for four such commands at once at nearly the same cost per document (7 ms at 25, 6 ms at
 * 75). docs/DEPLOYMENT.md has the figures. Set once at start-up by the composition root.
 */
let limit = 25;

export function setWriteBatch(size: number): void {
  if (!Number.isSafeInteger(size) || size < 1) throw new Error(`write batch must be a positive integer, not ${size}`);
  limit = size;
}

export const writeBatch = () => limit;

/** `items` in order, in slices of at most the write batch. */
export function chunks<T>(items: readonly T[], size = limit): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `write` on each slice in turn (never two of one call at once), with the slice's offset. */
export async function inChunks<T>(items: readonly T[], write: (chunk: T[], offset: number) => Promise<unknown>): Promise<void> {
  let offset = 0;
  for (const chunk of chunks(items)) {
    await write(chunk, offset);
    offset += chunk.length;
  }
}

/**
 * Deletes what `filter` matches a batch at a time (ids first, then those ids), so that a delete
 * of unknown size (a sweep, a window trim) never touches more than the batch in one command.
 * Returns how many were deleted.
 */
export async function deleteInBatches(collection: Collection, filter: Record<string, unknown>, maxBatches = 1_000): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < maxBatches; i++) {
    const ids = (await collection.find(filter, { projection: { _id: 1 }, limit }).toArray()).map((d) => d._id);
    if (ids.length === 0) break;
    deleted += (await collection.deleteMany({ _id: { $in: ids } })).deletedCount ?? 0;
    if (ids.length < limit) break;
  }
  return deleted;
}

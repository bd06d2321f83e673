import type { Connection } from 'mongoose';

/**
 * Asks the database a real query (one document of a small collection, through its storage): a
 * `ping` is answered by a FerretDB whose storage pool is wedged, this is not. Resolves false on
 * failure or after `timeoutMs`.
 */
export async function pingDatabase(connection: Connection, timeoutMs: number): Promise<boolean> {
  const db = connection.db;
  if (!db || connection.readyState !== 1) return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([
      db
        .collection('apps')
        .findOne({}, { projection: { _id: 1 }, timeoutMS: timeoutMs })
        .then(
          () => true,
          () => false,
        ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

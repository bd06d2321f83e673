/**
 * Errors worth retrying as they are: FerretDB's SQLite backend answers concurrent writers with
 * "database is locked" (SQLITE_BUSY); MongoDB labels its own transient failures.
 */
export function isTransientDbError(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const labels = (e as { errorLabels?: unknown }).errorLabels;
  if (Array.isArray(labels) && labels.some((l) => l === 'RetryableWriteError' || l === 'TransientTransactionError')) return true;
  return /SQLITE_BUSY|database is locked/.test(String((e as { message?: unknown }).message ?? ''));
}

/** Runs `fn`, retrying transient database errors with a short jittered backoff. */
export async function retryTransient<T>(fn: () => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= attempts || !isTransientDbError(e)) throw e;
      await new Promise((r) => setTimeout(r, Math.random() * 10 * 2 ** Math.min(attempt, 5)));
    }
  }
}

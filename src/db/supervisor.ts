import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { pingDatabase } from './readiness';

export interface Supervised {
  readonly pid?: number;
  restart(): Promise<void>;
}

/**
 * Watches an embedded FerretDB that `npm start` runs itself: a real query every few seconds, and
 * when none has been answered for `restartAfterMs` (a wedged storage pool, a stopped process) it
 * says so loudly and restarts the process on the same address and data. The connection's own
 * monitoring reconnects, so requests recover without a server restart. Production runs MongoDB
 * (a replica set) outside the server and does not use this (docs/DEPLOYMENT.md).
 */
export function superviseEmbedded(opts: { connection: Connection; db: Supervised; restartAfterMs: number; log: Logger }) {
  const checkEveryMs = Math.max(200, Math.min(5_000, Math.floor(opts.restartAfterMs / 3)));
  let failingSince: number | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let restarts = 0;

  async function check() {
    const ok = await pingDatabase(opts.connection, checkEveryMs);
    const now = Date.now();
    if (ok) failingSince = undefined;
    else failingSince ??= now;
    if (failingSince !== undefined && now - failingSince >= opts.restartAfterMs && !stopped) {
      opts.log.error(
        { pid: opts.db.pid, silentMs: now - failingSince },
        'the embedded FerretDB has answered no query for too long: killing and restarting it (DB_SUPERVISE_AFTER_MS)',
      );
      try {
        await opts.db.restart();
        restarts++;
        failingSince = undefined;
      } catch (e) {
        opts.log.error({ err: e }, 'the embedded FerretDB could not be restarted; trying again');
      }
    }
  }
  const loop = () => {
    if (stopped) return;
    timer = setTimeout(() => void check().finally(loop), checkEveryMs);
    timer.unref();
  };
  loop();
  return {
    get restarts() {
      return restarts;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

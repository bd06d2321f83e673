import pino from 'pino';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/db/embedded';
import { gql } from './server';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The soak's own database process, which it stops, kills and starts again. */
export async function startSoakDatabase(dataDir: string, port: number) {
  const start = () => startEmbeddedDatabase({ engine: 'auto', dataDir, port, log: pino({ level: 'silent' }) });
  let db: EmbeddedDatabase = await start();
  return {
    get uri() {
      return db.uri;
    },
    get engine() {
      return db.engine;
    },
    /** SIGSTOP for `ms`, then SIGCONT: a database that accepts connections and answers nothing. */
    async stall(ms: number) {
      process.kill(db.pid!, 'SIGSTOP');
      await sleep(ms);
      process.kill(db.pid!, 'SIGCONT');
    },
    /** SIGKILL, then a new process on the same address and data. */
    async killAndRestart() {
      if (db.restart) return db.restart();
      process.kill(db.pid!, 'SIGKILL');
      await sleep(200);
      db = await start();
    },
    stop: () => db.stop(),
  };
}

/** How long until a query that needs the database is answered again (ms), up to `limitMs`. */
export async function recoveryMs(url: string, appToken: string, limitMs = 60_000): Promise<number> {
  const t = Date.now();
  while (Date.now() - t < limitMs) {
    const r = await gql(url, `{ users(first: 1) { edges { node { id } } } }`, {}, appToken).catch(() => ({ status: 0 }));
    if (r.status === 200) return Date.now() - t;
    await sleep(100);
  }
  return -1;
}

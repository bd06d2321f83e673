import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { connect } from '../../src/db/database';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/db/embedded';
import { pingDatabase } from '../../src/db/readiness';
import { superviseEmbedded } from '../../src/db/supervisor';
import { eventually } from '../outbox/helpers';

/**
 * The embedded FerretDB `npm start` runs is supervised: stopped (SIGSTOP, as a wedged one behaves)
 * for longer than the supervision time, it is killed and started again on the same address and
 * data, and the same connection answers again without a server restart.
 */
describe('the embedded FerretDB supervisor', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'imfacade-supervise-'));
  let db: EmbeddedDatabase;
  afterAll(async () => {
    await db?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('restarts a FerretDB that stopped answering, and the connection recovers', async () => {
    db = await startEmbeddedDatabase({ engine: 'ferretdb', dataDir, log: pino({ level: 'silent' }) }).catch(() => undefined as never);
    if (!db) return console.warn('no FerretDB on this machine: supervision applies to FerretDB only'); // memory-server machines
    const connection = await connect(db.uri, 'supervised', 1_000);
    await connection.db!.collection('apps').insertOne({ name: 'kept' });
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (l: string) => lines.push(l) });
    const supervisor = superviseEmbedded({ connection, db: db as Required<EmbeddedDatabase>, restartAfterMs: 1_500, log });
    const before = db.pid!;
    process.kill(before, 'SIGSTOP');
    const answered = await eventually(
      async () => (supervisor.restarts > 0 && (await pingDatabase(connection, 1_000)) ? true : undefined),
      15_000,
      'the restarted FerretDB to answer',
    );
    supervisor.stop();
    expect(answered).toBe(true);
    expect(db.pid).not.toBe(before);
    expect(lines.join('')).toMatch(/answered no query for too long: killing and restarting it/);
    expect(await connection.db!.collection('apps').findOne({ name: 'kept' })).toMatchObject({ name: 'kept' });
    await connection.close();
  }, 60_000);
});

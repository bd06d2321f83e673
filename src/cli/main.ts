import { createCluster } from '../app/cluster';
import { buildIndexes, openDatabase } from '../db/database';
import { loadConfig } from '../app/config';
import { createLogger } from '../logger';
import { createServices } from '../app/services';
import { builtInAdapters } from '../vendors';
import { runCommand, usage } from './commands';

/** Operator CLI. Shares the database of a running `npm start` (embedded) or MONGODB_URI. */
/** The built-in adapters' operator commands. */
const commands = builtInAdapters.flatMap((a) => a.cli ?? []);

async function main() {
  const argv = process.argv.slice(2);
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage(commands)}\n`);
    return 0;
  }
  const config = loadConfig();
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const db = await openDatabase(config.database, log, { reuseRunning: true });
  // With REDIS_URL, what the command causes (a revocation, say) reaches every running instance.
  const cluster = await createCluster(config, log);
  const services = createServices(config, db.connection, log, cluster);
  try {
    await buildIndexes(db.connection);
    const code = await runCommand(
      argv,
      services,
      log,
      {
        out: (t) => process.stdout.write(`${t}\n`),
        err: (t) => process.stderr.write(`${t}\n`),
      },
      commands,
    );
    // What the command caused (a user registered for a robot: webhooks) is enqueued before the database closes.
    await services.stopOutbox();
    return code;
  } finally {
    await services.stopPresence();
    await cluster.close();
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${JSON.stringify({ error: 'FAILED', message: err instanceof Error ? err.message : String(err) })}\n`);
    process.exit(1);
  },
);

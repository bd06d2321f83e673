import pino from 'pino';
import { loadConfig } from '../../src/app/config';
import { createServices } from '../../src/app/services';
import { surfaceOf } from '../../src/app/surface';
import { buildIndexes, openDatabase } from '../../src/db/database';
import type { Principal, RequestContext } from '../../src/domain/context';
import type { DomainError } from '../../src/domain/errors';
import { testDatabaseName } from '../helpers/harness';

/**
 * The unit layer for domain rules: the services on the real test database, called through the
 * checked port as a given principal. No HTTP server, no transport: a rule's test says who calls
 * what and what the domain decides.
 */
export async function startDomain(env: Record<string, string> = {}) {
  const uri = process.env.TEST_MONGODB_URI;
  if (!uri) throw new Error('TEST_MONGODB_URI is not set: run the tests through jest (global setup)');
  const config = loadConfig({ NODE_ENV: 'test', MONGODB_URI: uri, MONGODB_DB_NAME: testDatabaseName(), OUTBOX_WORKER: 'false', ...env });
  const log = pino({ level: 'silent' });
  const db = await openDatabase(config.database, log);
  const services = createServices(config, db.connection, log);
  await buildIndexes(db.connection);
  const port = surfaceOf(services);
  const as = (principal: Principal): RequestContext => services.context(principal, log, 'unit');
  const operator = as({ kind: 'operator' });
  const { appId } = await port.apps.create(operator, { name: `unit${Date.now()}` });
  const app = as({ kind: 'app', appId, tokenId: 'unit', expiresAt: null });
  const users = new Map<string, RequestContext>();
  return {
    port,
    /** The event bus, to see what the domain announced. */
    events: services.events,
    appId,
    app,
    /** Registers users of the app; `user(name)` is then a context acting as that user. */
    async register(...names: string[]) {
      for (const username of names) {
        const u = await port.users.register(app, { username, password: 'unit-pass-1' });
        users.set(username, as({ kind: 'user', appId, userId: u.id, tokenId: `unit-${username}`, expiresAt: null }));
      }
    },
    user: (name: string) => users.get(name) ?? fail(`no user ${name}`),
    async close() {
      await services.stopOutbox();
      await services.stopPresence();
      await db.connection.dropDatabase().catch(() => undefined);
      await db.close();
    },
  };
}

function fail(message: string): never {
  throw new Error(message);
}

/** The DomainError a call throws, for compact assertions on code and reason. */
export async function refusal(call: Promise<unknown>): Promise<{ code: string; reason?: unknown; message: string }> {
  try {
    await call;
  } catch (e) {
    const d = e as DomainError;
    if (d?.code) return { code: d.code, reason: d.details?.reason, message: d.message };
    throw e;
  }
  throw new Error('the call was not refused');
}

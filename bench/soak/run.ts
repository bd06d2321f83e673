import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { freePort } from '../../src/db/probe';
import { recoveryMs, startSoakDatabase } from './faults';
import { setUp } from './fixtures';
import { startServerProcess, startSink } from './server';
import { startTraffic } from './traffic';
import { compare, drained, storedTexts } from './verify';

export interface SoakOptions {
  seconds: number;
  /** Requests a second, all kinds together. */
  rate: number;
  dbTimeoutMs?: number;
  /** With Redis: the server uses it, and every Redis client connection is dropped once mid-run. */
  redisUrl?: string;
  progress?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The soak: the server as a real process on a database of its own, mixed traffic at a steady rate
 * with webhooks and robot callbacks on, while the database is stalled (SIGSTOP for twice the
 * deadline), killed and restarted, and Redis connections are dropped. Reports answers by status,
 * the longest wait, lost and duplicated messages and deliveries, recovery times and RSS growth.
 */
export async function runSoak(o: SoakOptions) {
  const say = o.progress ?? (() => undefined);
  const dbTimeoutMs = o.dbTimeoutMs ?? 2_000;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'imfacade-soak-'));
  const db = await startSoakDatabase(dataDir, await freePort());
  const [hook, robot] = [await startSink(), await startSink()];
  const server = await startServerProcess(
    {
      MONGODB_URI: db.uri,
      MONGODB_DB_NAME: 'soak',
      DB_TIMEOUT_MS: String(dbTimeoutMs),
      DB_RETRY_AFTER_SECONDS: '1',
      DEMO_APP: 'false',
      LOG_LEVEL: process.env.SOAK_SERVER_LOG ? 'warn' : 'fatal',
      OUTBOX_ALLOW_PRIVATE: 'true',
      OUTBOX_BACKOFF_BASE_MS: '200',
      OUTBOX_BACKOFF_MAX_MS: '2000',
      OUTBOX_MAX_ATTEMPTS: '100',
      OUTBOX_POLL_MS: '250',
      ANONYMOUS_RATE_LIMIT: '0',
      GRAPHQL_RATE_LIMIT: '0',
      EASEMOB_RATE_LIMIT: '0',
      GOBELIEVE_RATE_LIMIT: '0',
      SECRETS_KEY: 'soak-secrets-key-0123456789abcdef',
      ...(o.redisUrl ? { REDIS_URL: o.redisUrl, REDIS_KEY_PREFIX: `soak${process.pid}:` } : {}),
    },
    await freePort(),
  );
  const faults: { fault: string; atS: number; recoveryMs: number }[] = [];
  try {
    const f = await setUp(server.url, `${hook.url}/hook`, `${robot.url}/robot`);
    const traffic = startTraffic(server.url, f, o.rate);
    const started = Date.now();
    const at = (share: number) => sleep(Math.max(0, started + o.seconds * 1_000 * share - Date.now()));
    await at(0.1);
    const rssStartKb = server.rssKb();
    await at(0.25);
    say('fault: database stalled (SIGSTOP)');
    await db.stall(dbTimeoutMs * 2);
    faults.push({
      fault: `database stalled ${dbTimeoutMs * 2} ms (SIGSTOP)`,
      atS: (Date.now() - started) / 1000,
      recoveryMs: await recoveryMs(server.url, f.appToken),
    });
    await at(0.55);
    say('fault: database killed and restarted');
    await db.killAndRestart();
    faults.push({
      fault: 'database killed (SIGKILL) and restarted',
      atS: (Date.now() - started) / 1000,
      recoveryMs: await recoveryMs(server.url, f.appToken),
    });
    if (o.redisUrl) {
      await at(0.8);
      say('fault: every Redis client connection dropped');
      const admin = new Redis(o.redisUrl);
      await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub').catch(() => undefined);
      await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes').catch(() => undefined);
      admin.disconnect();
      faults.push({
        fault: 'Redis connections dropped',
        atS: (Date.now() - started) / 1000,
        recoveryMs: await recoveryMs(server.url, f.appToken),
      });
    }
    await at(1);
    say('traffic stopped; waiting for deliveries');
    await traffic.stop();
    const rssEndKb = server.rssKb();
    say(`traffic ended: ${JSON.stringify(traffic.log.byStatus)}`);
    const drainMs = await drained(traffic.log, hook.bodies, robot.bodies, 90_000);
    say(`deliveries drained in ${drainMs} ms; reading what was stored`);
    const outcome = compare(traffic.log, await storedTexts(server.url, f), hook.bodies, robot.bodies);
    return {
      seconds: o.seconds,
      rate: o.rate,
      engine: db.engine,
      redis: !!o.redisUrl,
      answers: traffic.log.byStatus,
      longestWaitMs: traffic.log.longestWaitMs,
      skippedTicks: traffic.log.skippedTicks,
      liveFrames: traffic.log.liveFrames,
      faults,
      drainMs,
      rss: { startKb: rssStartKb, endKb: rssEndKb, growthKb: rssEndKb - rssStartKb },
      ...outcome,
    };
  } finally {
    await server.stop();
    await Promise.all([hook.close(), robot.close()]);
    await db.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export type SoakReport = Awaited<ReturnType<typeof runSoak>>;

import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { createApplication } from '../src/app/index';
import { loadConfig } from '../src/app/config';
import { startEmbeddedDatabase } from '../src/db/embedded';
import { runHelper, startHelper } from './lib/proc';
import { profileWhile, summarise, type ProfileSummary } from './lib/profile';
import { seedApp, seedUsers } from './lib/seed';

/**
 * `npm run bench:profile [-- --seconds=N]`: where a cheap GraphQL request's CPU goes. Loads our
 * server (in this process) with `{ __typename }` and with a small authenticated query, and stock
 * Apollo Server (its own process) with `{ __typename }`, each under the sampling profiler, and
 * writes bench/results/profile.json: CPU µs per request and the time by package and function.
 */
const seconds = Number(process.argv.find((a) => a.startsWith('--seconds='))?.slice(10) ?? 6);
const log = pino({ level: 'warn' });
const ROOT = path.join(__dirname, '..', '..');

interface Row {
  name: string;
  requestsPerSecond: number;
  cpuUsPerRequest: number;
  profile: ProfileSummary;
}

async function main() {
  const db = process.env.MONGODB_URI ? undefined : await startEmbeddedDatabase({ engine: 'auto', log });
  const config = loadConfig({
    NODE_ENV: 'production',
    IMBEE_PUBLIC_URL: 'https://chat.example.com',
    HOST: '127.0.0.1',
    PORT: '0',
    MONGODB_URI: process.env.MONGODB_URI ?? db!.uri,
    MONGODB_DB_NAME: `profile_${Date.now()}`,
    LOG_LEVEL: 'warn',
    GRAPHQL_RATE_LIMIT: '0',
    ANONYMOUS_RATE_LIMIT: '0',
    DEMO_APP: 'false',
    ...(JSON.parse(process.env.BENCH_SERVER_ENV ?? '{}') as Record<string, string>),
  });
  const app = await createApplication(config, log);
  const url = `${await app.listen()}/graphql`;
  const apollo = startHelper('baselines/apollo-standalone.js', {}, { NODE_ENV: 'production' });
  const rows: Row[] = [];
  try {
    const { creds } = await seedApp(app, log);
    const [user] = await seedUsers(app, creds.appId, 1);
    const load = (target: string, query: string, headers?: Record<string, string>) =>
      runHelper('drivers/http-load.js', { url: target, headers, bodies: [JSON.stringify({ query })], connections: 32, seconds });
    const measure = async (name: string, run: () => Promise<{ result: any; profile: ProfileSummary }>) => {
      await run(); // warm-up: JIT, caches, connections
      const { result, profile } = await run();
      rows.push({
        name,
        requestsPerSecond: result.requestsPerSecond,
        cpuUsPerRequest: Math.round(((profile.busyMs * 1000) / Math.max(1, result.total)) * 10) / 10,
        profile,
      });
      log.warn({ name, rps: result.requestsPerSecond }, 'profiled');
    };
    const ours = (query: string, headers?: Record<string, string>) => async () => {
      const { result, profile } = await profileWhile(() => load(url, query, headers));
      return { result, profile: summarise(profile) };
    };
    const { url: stockUrl } = await apollo.ready;
    await measure('stock Apollo `{ __typename }`', async () => {
      apollo.send('profile-start');
      const result = await load(stockUrl, '{ __typename }');
      apollo.send('profile-stop');
      return { result, profile: (await apollo.next()) as ProfileSummary };
    });
    await measure('ours `{ __typename }`', ours('{ __typename }'));
    await measure('ours `{ me { username } }` (bearer token)', ours('{ me { username } }', { authorization: `Bearer ${user!.token}` }));
  } finally {
    apollo.kill();
    await app.close();
    await db?.stop();
  }
  const out = path.join(ROOT, 'bench', 'results', 'profile.json');
  fs.writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, seconds, rows }, null, 2)}\n`);
  for (const r of rows) {
    process.stdout.write(`\n## ${r.name}: ${r.requestsPerSecond} req/s under the profiler, ${r.cpuUsPerRequest} µs CPU per request\n`);
    process.stdout.write(
      r.profile.byPlace
        .slice(0, 12)
        .map((p) => `  ${p.share}%  ${p.place}`)
        .join('\n') + '\n  top functions:\n',
    );
    process.stdout.write(r.profile.top.map((f) => `  ${f.share}%  ${f.fn} [${f.place}]`).join('\n') + '\n');
    process.stdout.write('  our functions, inclusive:\n');
    process.stdout.write(r.profile.oursInclusive.map((f) => `  ${f.share}%  ${f.fn} [${f.place}]`).join('\n') + '\n');
  }
}

void main().catch((e) => {
  log.error(e);
  process.exit(1);
});

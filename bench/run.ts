import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createApplication, type Application } from '../src/app/index';
import { loadConfig } from '../src/app/config';
import { countCommands } from '../src/db/commands';
import { startEmbeddedDatabase } from '../src/db/embedded';
import { encodeMessageCursor } from '../src/messages/records';
import { runHelper, startHelper } from './lib/proc';
import { abuseScenario } from './scenarios/abuse';
import { frameworkScenario } from './scenarios/framework';
import { outboxScenario } from './scenarios/outbox';
import { observabilityScenario } from './scenarios/observability';
import { fanoutClusterScenario } from './scenarios/fanout-cluster';
import { fanoutGroupsScenario } from './scenarios/fanout-groups';
import { fanoutChart, fanoutRoomScenario } from './scenarios/fanout-room';
import { msyncScenario } from './scenarios/msync';
import { seedApp, seedHistory, seedUsers } from './lib/seed';
import { ratio } from './lib/stats';
import { writeSummary, type Results } from './summary';

/**
 * `npm run bench [-- --quick] [-- --only=a,b] [-- --results=<dir>]`: starts the server in this process on the project's
 * database, drives it from helper processes (bench/drivers), measures baselines side by side
 * (bench/baselines), writes bench/results/<scenario>.json and docs/BENCHMARKS.md.
 */
// --tiny: every scenario once at toy sizes (seconds each), so that the bench cannot rot unnoticed
// (test/process/bench-tiny.test.ts runs it in npm test); its figures mean nothing.
const tiny = process.argv.includes('--tiny');
const quick = tiny || process.argv.includes('--quick');
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const T = tiny ? 1 : quick ? 2 : 8; // seconds per measurement
const USERS = tiny ? 100 : 1000;
const ROOT = path.join(__dirname, '..', '..');
// --results=<dir>: a run on another runtime (bench/runtimes.js) keeps its figures apart.
const resultsArg = process.argv.find((a) => a.startsWith('--results='))?.slice(10);
const RESULTS = resultsArg ? path.resolve(resultsArg) : path.join(ROOT, 'bench', 'results');
const log = pino({ level: 'warn' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const gc = () => (globalThis as { gc?: () => void }).gc?.();

async function main() {
  fs.mkdirSync(RESULTS, { recursive: true });
  const db = process.env.MONGODB_URI ? undefined : await startEmbeddedDatabase({ engine: 'auto', log });
  const uri = process.env.MONGODB_URI ?? db!.uri;
  const dbName = `bench_${Date.now()}`;
  // --tiny runs the observability scenario too, which needs metrics and tracing configured: its
  // spans go to a sink here that drops them.
  const sink = tiny ? await startSpanSink() : undefined;
  const config = loadConfig({
    NODE_ENV: 'production',
    IMBEE_PUBLIC_URL: 'https://chat.example.com',
    HOST: '127.0.0.1',
    PORT: '0',
    MONGODB_URI: uri,
    MONGODB_DB_NAME: dbName,
    LOG_LEVEL: 'warn',
    EASEMOB_RATE_LIMIT: '0',
    EASEMOB_MSYNC_SENDS_PER_SECOND: '0',
    EASEMOB_MSYNC_FRAMES_PER_SECOND: '0',
    GRAPHQL_RATE_LIMIT: '0',
    ANONYMOUS_RATE_LIMIT: '0',
    DEMO_APP: 'false',
    OUTBOX_ALLOW_PRIVATE: 'true', // the receivers are on loopback
    // bench/observability.js runs the same scenarios with metrics or tracing on.
    ...(JSON.parse(process.env.BENCH_SERVER_ENV ?? '{}') as Record<string, string>),
    ...(sink ? { METRICS_TOKEN: 'bench-metrics-token-0123456789', OTEL_EXPORTER_OTLP_ENDPOINT: sink.url } : {}),
  });
  const app = await createApplication(config, log);
  const base = await app.listen();
  const gqlUrl = `${base}/graphql`;
  const wsUrl = `${base.replace('http', 'ws')}/graphql`;
  const results: Results = {
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      node: process.version,
      database: db ? `embedded ${db.engine}` : 'MONGODB_URI',
      date: new Date().toISOString(),
      mode: tiny ? 'tiny' : quick ? 'quick' : 'full',
    },
    scenarios: {},
  };
  const started = Date.now();
  try {
    const { creds, adminToken, appCtx } = await seedApp(app, log);
    const users = await seedUsers(app, creds.appId, USERS);
    const reader = (await seedUsers(app, creds.appId, 1, 'reader'))[0]!;
    // 50 groups of 20 (fan-out a); the reader belongs to all of them (read path).
    const groups: { conversationId: string; members: typeof users }[] = [];
    for (let g = 0; g < 50; g++) {
      const members = users.filter((_, i) => i % 50 === g);
      const group = await app.services.groups.create(appCtx(), {
        name: `g${g}`,
        owner: { id: members[0]!.id },
        members: [...members.slice(1), reader].map((u) => ({ id: u.id })),
      });
      groups.push({ conversationId: group.conversationId, members });
      await app.services.messages.send(appCtx(), {
        conversationId: group.conversationId,
        from: { id: members[1]!.id },
        type: 'text',
        text: `hello g${g}`,
      });
    }
    const want = (name: string) => !only || only.includes(name);
    const record = (name: string, value: unknown) => {
      results.scenarios[name] = value;
      fs.writeFileSync(path.join(RESULTS, `${name}.json`), `${JSON.stringify({ machine: results.machine, [name]: value }, null, 2)}\n`);
      log.warn({ scenario: name, at: `${Math.round((Date.now() - started) / 1000)} s` }, 'scenario done');
    };

    // 5. Idle connections: resident memory per authenticated graphql-ws connection.
    if (want('idle-connections')) {
      const n = tiny ? 200 : 10_000;
      gc();
      await sleep(500);
      const before = process.memoryUsage();
      const idle = startHelper('drivers/ws-subscribers.js', {
        url: wsUrl,
        mode: 'graphql',
        clients: Array.from({ length: n }, () => ({ token: adminToken })),
        maxMessages: 1,
        batch: 500,
      });
      const ready = await idle.ready;
      await sleep(1000);
      gc();
      await sleep(500);
      const after = process.memoryUsage();
      idle.send('stop');
      const kib = (bytes: number) => Math.round((bytes / n / 1024) * 10) / 10;
      const rssKib = kib(after.rss - before.rss);
      const heapKib = kib(after.heapUsed + after.external - before.heapUsed - before.external);
      record('idle-connections', {
        connections: n,
        acceptSeconds: ready.acceptSeconds,
        rssBeforeMiB: Math.round(before.rss / 1048576),
        rssAfterMiB: Math.round(after.rss / 1048576),
        rssKibPerConnection: rssKib,
        heapKibPerConnection: heapKib,
        kibPerConnection: Math.max(rssKib, heapKib),
        target: '<= 40 KiB',
      });
    }
    // 6. Framework overhead, and the baseline of the read path.
    if (want('framework') || want('read-path')) {
      const rounds = tiny ? 1 : quick ? 3 : 5;
      record('framework', await frameworkScenario({ gqlUrl, userToken: reader.token, seconds: T, rounds }));
    }

    // 3. Read path: 50 conversations with members, last message and its sender.
    if (want('read-path')) {
      const query = `{ conversations(first: 50) { nodes { id kind unreadCount members { nodes { role user { username } } } lastMessage { text sender { username nickname } } } } }`;
      const body = JSON.stringify({ query });
      const counter = countCommands(app.db.connection);
      const t0 = Date.now();
      for (let i = 0; i < 20; i++) {
        const res = await fetch(gqlUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${reader.token}` },
          body,
        });
        const json = (await res.json()) as { errors?: unknown[] };
        if (json.errors) throw new Error(`read path query failed: ${JSON.stringify(json.errors).slice(0, 300)}`);
      }
      log.warn({ ms: (Date.now() - t0) / 20 }, 'read path: sequential latency');
      if (process.env.BENCH_TRACE) {
        await trace(app, gqlUrl, reader.token, body);
        const g = groups[0]!;
        await trace(
          app,
          gqlUrl,
          adminToken,
          JSON.stringify({
            query: 'mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }',
            variables: { i: { conversationId: g.conversationId, from: { username: g.members[0]!.username }, type: 'TEXT', text: 'trace' } },
          }),
        );
      }
      const commandsPerRequest = counter.total / 20;
      counter.stop();
      const load = await runHelper('drivers/http-load.js', {
        url: gqlUrl,
        headers: { authorization: `Bearer ${reader.token}` },
        bodies: [body],
        connections: 16,
        seconds: T,
      });
      record('read-path', {
        ...load,
        commandsPerRequest,
        pageSize: 50,
        stockApolloTrivialRps: (results.scenarios.framework as any)?.stockApollo.requestsPerSecond,
        target: '<= 5 commands per request',
      });
    }

    // 2. Send throughput: GraphQL and the Easemob route, beside raw driver inserts.
    if (want('send-throughput')) {
      const gqlBodies = groups.map((g) =>
        JSON.stringify({
          query: 'mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }',
          variables: {
            i: { conversationId: g.conversationId, from: { username: g.members[0]!.username }, type: 'TEXT', text: 'throughput' },
          },
        }),
      );
      const graphql = await runHelper('drivers/http-load.js', {
        url: gqlUrl,
        headers: { authorization: `Bearer ${adminToken}` },
        bodies: gqlBodies,
        connections: 32,
        seconds: T,
      });
      const em = creds.easemob as { orgName: string; appName: string };
      const emUrl = `${base}/easemob/${em.orgName}/${em.appName}/messages/users`;
      const emBodies = Array.from({ length: 50 }, (_, i) =>
        JSON.stringify({ from: users[i]!.username, to: [users[i + 50]!.username], type: 'txt', body: { msg: 'throughput' } }),
      );
      // Warm-up: the first send of each pair opens its direct conversation; the run measures steady sends.
      for (const body of emBodies)
        await fetch(emUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
          body,
        });
      const easemob = await runHelper('drivers/http-load.js', {
        url: emUrl,
        headers: { authorization: `Bearer ${adminToken}` },
        bodies: emBodies,
        connections: 32,
        seconds: T,
      });
      const raw = await runHelper('drivers/raw-insert.js', { uri, dbName, concurrency: 32, seconds: T });
      record('send-throughput', {
        graphql,
        easemob,
        rawDriver: raw,
        ratioGraphql: ratio(graphql.requestsPerSecond, raw.perSecond),
        ratioEasemob: ratio(easemob.requestsPerSecond, raw.perSecond),
        target: '>= 0.5 x raw driver',
      });
    }

    // The subscription of every fan-out scenario.
    const SUB = 'subscription($c: ID) { messageAdded(conversationId: $c) { id seq text createdAt sender { username } } }';
    // 1b. One large room at rising rates: ours, stock graphql-ws and plain ws side by side. First
    // of the fan-outs: 1a's stored messages at 500 msg/s leave the database a backlog for minutes.
    // Metrics and tracing on against off (only when asked for: npm run bench:observability).
    if (only?.includes('observability') || tiny)
      record(
        'observability',
        await observabilityScenario({
          app,
          appCtx,
          users: users.slice(0, 500),
          adminToken,
          gqlUrl,
          wsUrl,
          seconds: T,
          quick,
          tiny,
          subscription: SUB,
        }),
      );
    if (want('fanout-room')) {
      const room = await fanoutRoomScenario({ app, appCtx, users, adminToken, gqlUrl, wsUrl, seconds: T, quick, tiny, subscription: SUB });
      record('fanout-room', room);
      if (!resultsArg) fs.writeFileSync(path.join(ROOT, 'docs', 'fanout-room.svg'), fanoutChart(room));
    }

    // 9. The Easemob client SDKs' protocol: two SDK clients, and 1,000 msync sockets in one room, beside GraphQL.
    if (want('msync')) {
      const { orgName, appName } = creds.easemob as { orgName: string; appName: string };
      const appKey = `${orgName}#${appName}`;
      record(
        'msync',
        await msyncScenario({ app, appCtx, users, adminToken, gqlUrl, wsUrl, seconds: T, quick, tiny, subscription: SUB, appKey, base }),
      );
    }

    // 1a. Fan-out in group chats: 1,000 subscribers in 50 conversations, 500 messages/s.
    if (want('fanout-groups'))
      record(
        'fanout-groups',
        await fanoutGroupsScenario({ app, groups, adminToken, gqlUrl, wsUrl, seconds: T, quick, tiny, subscription: SUB }),
      );

    // 1c. Fan-out (a) on two instances through Redis (senders on A, half the subscribers on B), beside one.
    if (want('fanout-groups-cluster'))
      record(
        'fanout-groups-cluster',
        await fanoutClusterScenario({ uri, dbName, log, groups, adminToken, seconds: T, quick, subscription: SUB, rate: 5 }),
      );

    // 8. Abuse: a cheap probe alone and beside abusive clients, on a server with the default limits.
    // Before the history scenario, whose 100,000 messages every scan would then read.
    if (want('abuse')) record('abuse', await abuseScenario({ uri, dbName, log, appCtx, appId: creds.appId, seconds: T, quick, tiny }));

    // 4. History depth: a 50-message page at the start and deep in 100,000 messages.
    if (want('history-depth')) {
      const conv = await app.services.conversations.openDirect(appCtx(), { id: users[0]!.id }, { id: users[1]!.id });
      const count = tiny ? 1_000 : 100_000;
      await seedHistory(app, creds.appId, conv.conversation.id, users[0]!.id, count);
      const page = (after?: string) =>
        JSON.stringify({
          query: 'query($c: ID!, $a: String) { messages(conversationId: $c, first: 50, after: $a) { nodes { seq text } } }',
          variables: { c: conv.conversation.id, a: after ?? null },
        });
      // Sequential probes: on a database that scans, concurrent load only measures the queue.
      const probe = await runHelper('drivers/http-probe.js', {
        url: gqlUrl,
        headers: { authorization: `Bearer ${users[0]!.token}` },
        count: quick ? 2 : 15,
        bodies: { start: page(), deep: page(encodeMessageCursor(count - 100)) },
      });
      const start = probe.start;
      const deep = probe.deep;
      record('history-depth', { messages: count, start, deep, ratioP50: ratio(deep.latencyMs.p50, start.latencyMs.p50), target: '<= 1.5' });
    }

    // 7. Outbox: deliveries per second to a loopback receiver, beside a plain HTTP client. Last, so
    // that its thousands of deliveries do not slow the scans of the scenarios above.
    if (want('outbox')) record('outbox', await outboxScenario(app, appCtx, creds.appId, tiny ? 100 : quick ? 1_000 : 4_000));
  } finally {
    results.totalSeconds = Math.round((Date.now() - started) / 1000);
    await app.db.connection.dropDatabase().catch(() => undefined);
    await app.close();
    await db?.stop();
    sink?.server.close();
  }
  // A partial run (--only) leaves the summary of the last complete run alone.
  if (!only && !tiny)
    writeSummary(
      results,
      path.join(ROOT, 'docs', 'BENCHMARKS.md'),
      path.join(RESULTS, 'summary.json'),
      path.join(ROOT, 'bench', 'notes.md'),
    );
  process.stdout.write(`bench done in ${results.totalSeconds} s: ${only || tiny ? '' : 'docs/BENCHMARKS.md, '}${RESULTS}\n`);
}

/** An OTLP/HTTP endpoint that accepts everything and keeps nothing. */
async function startSpanSink() {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

/** BENCH_TRACE=1: logs each database command of one request with its duration. */
async function trace(app: Application, url: string, token: string, body: string) {
  const client = app.db.connection.getClient();
  const names = new Map<number, string>();
  const started = (e: { requestId: number; commandName: string; command: Record<string, unknown> }) =>
    names.set(
      e.requestId,
      `${e.commandName} ${String(e.command[e.commandName])} ${JSON.stringify(e.command.filter ?? e.command.updates ?? e.command.query ?? {}).slice(0, 100)}`,
    );
  const done = (e: { requestId: number; duration: number }) => log.warn({ ms: e.duration, cmd: names.get(e.requestId) }, 'trace');
  client.on('commandStarted', started);
  client.on('commandSucceeded', done);
  const t = Date.now();
  await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
  log.warn({ ms: Date.now() - t }, 'trace total');
  client.off('commandStarted', started);
  client.off('commandSucceeded', done);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});

export type { Application };

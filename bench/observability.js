#!/usr/bin/env node
// `npm run bench:observability`: what metrics and tracing cost. Runs bench/run.ts's observability
// scenario (bench/scenarios/observability.ts) on a server started with metrics and tracing
// configured; tracing exports over OTLP/HTTP to a sink in this process that accepts and drops the
// spans (what a collector costs the server is the export, not the storage). The scenario
// interleaves the modes round by round and reports medians; the table goes to
// bench/results/observability.md (docs/OPERATIONS.md and docs/BENCHMARKS.md quote it).
'use strict';
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const quick = process.argv.includes('--quick');

async function main() {
  let exports = 0;
  const sink = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      exports++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise((r) => sink.listen(0, '127.0.0.1', r));
  const env = {
    METRICS_TOKEN: 'bench-metrics-token-0123456789',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sink.address().port}`,
  };
  const dir = path.join(root, 'bench', 'results');
  const code = await new Promise((resolve) => {
    const args = ['--expose-gc', path.join(root, 'dist', 'bench', 'run.js'), '--only=observability', `--results=${dir}`];
    if (quick) args.push('--quick');
    const child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, BENCH_SERVER_ENV: JSON.stringify(env) } });
    child.on('exit', resolve);
  });
  sink.close();
  if (code !== 0) process.exit(1);
  const r = JSON.parse(fs.readFileSync(path.join(dir, 'observability.json'), 'utf8')).observability;
  const m = r.modes;
  const row = (name, k) =>
    `| ${name} | ${m[k].trivialRequestsPerSecond} | ${m[k].trivialCpuMicrosPerRequest} | ${m[k].fanoutCpuMsPer1000} | ${m[k].fanoutP50Ms} / ${m[k].fanoutP99Ms} | ${m[k].fanoutLost} |`;
  const lines = [
    `Medians of ${r.rounds} interleaved rounds of ${r.seconds} s; fan-out: ${r.subscribers} subscribers in one room, ${r.messagesPerSecond} online-only messages a second.`,
    '',
    '| mode | `{ __typename }` req/s | server CPU µs per request | fan-out CPU ms per 1,000 deliveries | fan-out p50 / p99 ms | deliveries lost |',
    '|---|---|---|---|---|---|',
    row('off (hooks in place, paused)', 'off'),
    row('metrics', 'metrics'),
    row('metrics + tracing (every request sampled)', 'metrics+tracing'),
    '',
    `Ratios to off: trivial query throughput ${r.trivialRatio.metrics} (metrics), ${r.trivialRatio.metricsAndTracing} (metrics + tracing); its CPU per request ${r.trivialCpuRatio.metrics} and ${r.trivialCpuRatio.metricsAndTracing}; fan-out CPU ${r.fanoutCpuRatio.metrics} and ${r.fanoutCpuRatio.metricsAndTracing}. OTLP export requests received: ${exports}.`,
  ];
  fs.writeFileSync(path.join(dir, 'observability.md'), `${lines.join('\n')}\n`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});

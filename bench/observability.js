#!/usr/bin/env node
// `npm run bench:observability`: the trivial-query (framework) and fan-out (fanout-room) scenarios
// in quick mode three times in one session: observability off, metrics on (METRICS_TOKEN), and
// metrics with tracing on (every request traced and exported over OTLP/HTTP to a sink in this
// process that accepts and drops the spans). Each run is measured against its own baselines (stock
// Apollo, plain ws), so the ratios compare like with like on a noisy machine. Results go to
// bench/results/observability-<mode>/ and the table to bench/results/observability.md.
'use strict';
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const script = path.join(root, 'dist', 'bench', 'run.js');

async function main() {
  let spans = 0;
  const sink = http.createServer((req, res) => {
    let bytes = 0;
    req.on('data', (c) => (bytes += c.length));
    req.on('end', () => {
      spans += bytes > 0 ? 1 : 0;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise((r) => sink.listen(0, '127.0.0.1', r));
  const collector = `http://127.0.0.1:${sink.address().port}`;
  const modes = [
    ['off', {}],
    ['metrics', { METRICS_TOKEN: 'bench-metrics-token-0123456789' }],
    ['metrics+tracing', { METRICS_TOKEN: 'bench-metrics-token-0123456789', OTEL_EXPORTER_OTLP_ENDPOINT: collector }],
  ];
  const rows = [];
  for (const [mode, env] of modes) {
    const dir = path.join(root, 'bench', 'results', `observability-${mode.replace('+', '-')}`);
    fs.mkdirSync(dir, { recursive: true });
    const code = await new Promise((resolve) => {
      const child = spawn(process.execPath, ['--expose-gc', script, '--quick', '--only=framework,fanout-room', `--results=${dir}`], {
        stdio: 'inherit',
        env: { ...process.env, BENCH_SERVER_ENV: JSON.stringify(env) },
      });
      child.on('exit', resolve);
    });
    if (code !== 0) process.exit(1);
    const read = (name) => JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8'))[name];
    const framework = read('framework');
    const room = read('fanout-room');
    rows.push({
      mode,
      trivial: framework.ours.requestsPerSecond,
      stock: framework.stockApollo.requestsPerSecond,
      trivialRatio: framework.ratio,
      fanout: room.notificationsBest,
      plain: room.plainBest,
      fanoutRatio: room.ratioNotifications,
    });
  }
  sink.close();
  const lines = [
    `| observability | \`{ __typename }\` req/s | stock Apollo req/s | ratio | fan-out deliveries/s (p99 ≤ 100 ms) | plain ws | ratio |`,
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.mode} | ${r.trivial} | ${r.stock} | ${r.trivialRatio} | ${r.fanout} | ${r.plain} | ${r.fanoutRatio} |`),
    '',
    `OTLP export requests received by the sink during the tracing run: ${spans}.`,
  ];
  fs.writeFileSync(path.join(root, 'bench', 'results', 'observability.md'), `${lines.join('\n')}\n`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});

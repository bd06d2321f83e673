#!/usr/bin/env node
// `npm run bench:runtimes`: the trivial-query (framework) and fan-out (fanout-room) scenarios in
// quick mode on Node 24 and on the machine's own Node, one after the other, and their figures side
// by side (each run against its own baselines, so ratios compare like with like). Results go to
// bench/results/node<major>/ and the table to stdout; docs/BENCHMARKS.md keeps the main run.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { node24, runWith, major } = require('../scripts/runtimes');

const root = path.resolve(__dirname, '..');
const script = path.join(root, 'dist', 'bench', 'run.js');
const bins = [...new Set([node24(), process.execPath].filter(Boolean))];
const rows = [];
for (const bin of bins) {
  const v = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const dir = path.join(root, 'bench', 'results', `node${major(v)}`);
  fs.mkdirSync(dir, { recursive: true });
  if (runWith(bin, ['--expose-gc', script, '--quick', '--only=framework,fanout-room', `--results=${dir}`]) !== 0) process.exit(1);
  const read = (name) => JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8'))[name];
  const framework = read('framework');
  const room = read('fanout-room');
  rows.push({
    node: v,
    trivial: framework.ours.requestsPerSecond,
    stockApollo: framework.stockApollo.requestsPerSecond,
    trivialRatio: framework.ratio,
    fanout: room.notificationsBest,
    plainWs: room.plainBest,
    fanoutRatio: room.ratioNotifications,
  });
}
const lines = [
  '| Node | `{ __typename }` req/s | stock Apollo req/s | ratio | fan-out deliveries/s (p99 ≤ 100 ms) | plain ws | ratio |',
  '|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.node} | ${r.trivial} | ${r.stockApollo} | ${r.trivialRatio} | ${r.fanout} | ${r.plainWs} | ${r.fanoutRatio} |`),
];
fs.writeFileSync(path.join(root, 'bench', 'results', 'runtimes.md'), `${lines.join('\n')}\n`);
process.stdout.write(`${lines.join('\n')}\n`);

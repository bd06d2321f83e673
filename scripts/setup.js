#!/usr/bin/env node
// First-run set-up shared by `npm start`, `npm test` and `npm run cli`, so that each works on a
// fresh clone: installs npm dependencies when missing or stale, makes sure an embedded database
// can be had (DESIGN.md section 2), and builds. Uses only Node built-ins: it runs before
// node_modules exists. Progress goes to stderr so stdout stays machine-readable.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const say = (msg) => process.stderr.write(`[setup] ${msg}\n`);
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) {
    say(`failed: ${cmd} ${args.join(' ')}`);
    process.exit(r.status ?? 1);
  }
};
const mtime = (p) => (fs.existsSync(p) ? fs.statSync(p).mtimeMs : 0);

function dependencies() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  if (mtime(marker) >= mtime(path.join(root, 'package-lock.json'))) return;
  // `npm ci` installs exactly the committed lock (scripts/complete-lock.js keeps it complete).
  const ci = fs.existsSync(path.join(root, 'package-lock.json'));
  say(`installing npm dependencies (npm ${ci ? 'ci' : 'install'})…`);
  run('npm', [ci ? 'ci' : 'install', '--no-audit', '--no-fund']);
}

function ferretdbAvailable() {
  if (process.env.FERRETDB_BIN) return fs.existsSync(process.env.FERRETDB_BIN);
  const dirs = (process.env.PATH || '').split(path.delimiter);
  try {
    const goenv = (name) => execFileSync('go', ['env', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    dirs.push(
      goenv('GOBIN'),
      ...goenv('GOPATH')
        .split(path.delimiter)
        .map((d) => path.join(d, 'bin')),
    );
  } catch {
    // no Go: only PATH counts
  }
  return dirs.some((d) => d && fs.existsSync(path.join(d, 'ferretdb')));
}

function mongodObtainable() {
  const probe = `require('mongodb-memory-server-core').MongoBinary.getPath().then(() => process.exit(0), () => process.exit(1))`;
  return spawnSync(process.execPath, ['-e', probe], { cwd: root, stdio: 'ignore', timeout: 120_000 }).status === 0;
}

function database() {
  if (process.env.MONGODB_URI || process.env.DB_ENGINE === 'memory-server') return;
  if (ferretdbAvailable()) return;
  if (process.env.DB_ENGINE !== 'ferretdb') {
    say('looking for a mongod for mongodb-memory-server…');
    if (mongodObtainable()) return;
    say('no mongod can be downloaded here; installing FerretDB instead');
  }
  run('bash', ['scripts/install-ferretdb.sh']);
}

function build() {
  run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json']);
  // The browser pages (web/): bundled by esbuild (their types are checked by `npm run typecheck`).
  run(process.execPath, [path.join(root, 'scripts', 'build-web.js')]);
}

const steps = process.argv.slice(2);
const all = steps.length === 0;
if (all || steps.includes('deps')) dependencies();
if (all || steps.includes('db')) database();
if (all || steps.includes('build')) build();

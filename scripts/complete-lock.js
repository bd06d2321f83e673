#!/usr/bin/env node
// Completes package-lock.json with the optional platform bindings that a registry mirror without
// them leaves out (npm then writes only the bindings it could resolve, and `npm ci` refuses the
// lock). The added entries carry only os/cpu/libc: `npm ci` skips them on every other platform
// without fetching anything. Run after `npm install` changes the lock: `node scripts/complete-lock.js`.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const file = process.argv[2] ?? path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const pkgs = lock.packages;

/** os, cpu and libc of a binding, read from its name (napi-rs naming: <os>-<cpu>[-<abi>]). */
function platformOf(suffix) {
  const [os, cpu, abi] = suffix.split('-');
  const entry = { cpu: [cpu === 'arm' ? 'arm' : cpu], os: [os] };
  if (abi && abi.startsWith('gnu')) entry.libc = ['glibc'];
  if (abi && abi.startsWith('musl')) entry.libc = ['musl'];
  return entry;
}

let added = 0;
for (const [key, meta] of Object.entries(pkgs)) {
  for (const [name, version] of Object.entries(meta.optionalDependencies ?? {})) {
    const target = `node_modules/${name}`;
    if (pkgs[target] || pkgs[`${key}/${target}`]) continue;
    const m = /-binding-(.+)$/.exec(name) ?? /-(android|darwin|freebsd|linux|openharmony|win32)-(.+)$/.exec(name);
    if (!m) continue;
    const suffix = m[0].replace(/^-binding-|^-/, '');
    pkgs[target] = { version, ...platformOf(suffix), dev: !!meta.dev, license: meta.license, optional: true };
    added++;
  }
}
const sorted = Object.fromEntries(Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
lock.packages = sorted;
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
process.stderr.write(`complete-lock: ${added} optional platform entries added\n`);

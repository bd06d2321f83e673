#!/usr/bin/env node
// Builds the browser pages (web/): each page's script bundled with its dependencies (the graphql-ws
// client, uPlot) into one ES module under dist/web/, by esbuild. Type checking is tsc's
// (`tsc -p tsconfig.web.json`, part of `npm run typecheck`); esbuild only strips types and bundles.
'use strict';
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const fs = require('node:fs');
const pages = [
  ['imbee-chat', 'chat.ts', 'chat.js'],
  ['console', 'console.ts', 'console.js'],
];
for (const [dir, entry, out] of pages) {
  esbuild.buildSync({
    entryPoints: [path.join(root, 'web', dir, entry)],
    outfile: path.join(root, 'dist', 'web', dir, out),
    bundle: true,
    format: 'esm',
    target: 'es2020',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
}
// uPlot's stylesheet beside the console's script: the server serves only what the build wrote.
fs.copyFileSync(path.join(root, 'node_modules', 'uplot', 'dist', 'uPlot.min.css'), path.join(root, 'dist', 'web', 'console', 'uplot.css'));

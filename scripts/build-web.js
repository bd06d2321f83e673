#!/usr/bin/env node
// Builds the browser pages (web/): each page's script bundled with its dependencies (the graphql-ws
// client) into one ES module under dist/web/, by esbuild. Type checking is tsc's
// (`tsc -p tsconfig.web.json`, part of `npm run typecheck`); esbuild only strips types and bundles.
'use strict';
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
esbuild.buildSync({
  entryPoints: [path.join(root, 'web', 'imbee-chat', 'chat.ts')],
  outfile: path.join(root, 'dist', 'web', 'imbee-chat', 'chat.js'),
  bundle: true,
  format: 'esm',
  target: 'es2020',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
});

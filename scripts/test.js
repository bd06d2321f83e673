#!/usr/bin/env node
// The test run of `npm test`: the whole suite on Node 24 LTS (the supported runtime), then, where
// the machine's own Node is older (20 here, while machines have it), the smoke suite on that Node
// too: the unit layer, the architecture checks, and one server test per surface. Extra arguments
// go to jest (the whole-suite run).
'use strict';
const path = require('node:path');
const { node24, runWith, SUPPORTED, major } = require('./runtimes');

const jest = path.join(__dirname, '..', 'node_modules', 'jest', 'bin', 'jest.js');
const SMOKE = [
  'test/core',
  'test/architecture/plugin-adapter.test.ts',
  'test/graphql/messaging.test.ts',
  'test/vendors/easemob/chatfiles.test.ts',
  'test/vendors/gobelieve/vendor-scripts.test.ts',
  'test/vendors/wildfire/robot.test.ts',
  'test/process/server.test.ts',
];

const bin = node24();
if (!bin) process.exit(1);
let status = runWith(bin, [jest, ...process.argv.slice(2)]);
if (status === 0 && major(process.version) !== SUPPORTED) status = runWith(process.execPath, [jest, ...SMOKE]);
process.exit(status);

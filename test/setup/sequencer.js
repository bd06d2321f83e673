// Test order for jest's two workers: longest first, so that both finish together. Jest orders by
// the durations it cached on earlier runs; a fresh clone (CI) has none and falls back to file
// size, which started the longest test (bench-tiny, about 170 s) two thirds of the way in and left
// one worker alone with it for about 100 s. Durations seen on a clean CI run seed the order
// where jest has none of its own; a run's own cache, once there, wins.
'use strict';
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

/** Seconds on a quiet 2-core machine (clean-clone CI, 2026-12-07), for the tests above 10 s. */
const SEEN = {
  'test/process/bench-tiny.test.ts': 171,
  'test/process/webhook-load.test.ts': 95,
  'test/process/soak.test.ts': 45,
  'test/cluster/ordering.test.ts': 32,
  'test/vendors/easemob/sdk-mocha.test.ts': 30,
  'test/process/server.test.ts': 24,
  'test/architecture/boundaries.test.ts': 19,
  'test/vendors/easemob/fuzz.test.ts': 19,
  'test/cluster/faults.test.ts': 19,
  'test/vendors/easemob/limits.test.ts': 15,
  'test/process/stalled-db.test.ts': 14,
  'test/web/console.test.ts': 10,
};
/** Every other test: a few seconds (the median on that run). */
const OTHERWISE_MS = 3_000;

class LongestFirst extends Sequencer {
  time(test) {
    const cached = super.time(test);
    if (cached != null) return cached;
    const seen = SEEN[path.relative(test.context.config.rootDir, test.path).split(path.sep).join('/')];
    return seen != null ? seen * 1000 : OTHERWISE_MS;
  }
}

module.exports = LongestFirst;

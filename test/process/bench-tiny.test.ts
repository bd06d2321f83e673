import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runNode } from '../helpers/process';

/** Every scenario of bench/run.ts, as it names them in its results. */
const SCENARIOS = [
  'idle-connections',
  'framework',
  'read-path',
  'send-throughput',
  'observability',
  'fanout-room',
  'msync',
  'fanout-groups',
  'fanout-groups-cluster',
  'abuse',
  'history-depth',
  'outbox',
];

// The built bench (dist/) as a process, every scenario once at toy sizes: a scenario that no
// longer runs (a query the limits now refuse, a renamed field) fails here, not in the next
// person's hour-long `npm run bench`. Its figures are not looked at: this machine is shared.
describe('npm run bench -- --tiny', () => {
  it('runs every scenario to its end and records each', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-tiny-'));
    try {
      const bench = runNode('dist/bench/run.js', ['--tiny', `--results=${dir}`], {
        MONGODB_URI: process.env.TEST_MONGODB_URI!,
        NODE_OPTIONS: '--expose-gc',
      });
      const code = await bench.exited;
      if (code !== 0) throw new Error(`bench --tiny exited with ${code}:\n${bench.stderr().slice(-4_000)}`);
      const recorded = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
      expect(recorded.map((f) => f.replace(/\.json$/, '')).sort()).toEqual([...SCENARIOS].sort());
      const abuse = JSON.parse(fs.readFileSync(path.join(dir, 'abuse.json'), 'utf8')).abuse;
      expect(abuse.heavyQuery.cost).toBeLessThanOrEqual(abuse.heavyQuery.costLimit);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});

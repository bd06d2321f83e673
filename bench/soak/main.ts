import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSoak } from './run';

/**
 * `npm run soak [-- --minutes=5] [-- --rate=20] [-- --redis]`: the soak of issue 28, on loopback
 * only, bounded in time. Writes bench/results/soak.json and prints the figures.
 */
async function main() {
  const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const minutes = Number(arg('minutes') ?? 5);
  const rate = Number(arg('rate') ?? 20);
  const redisUrl = process.argv.includes('--redis') ? (process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') : undefined;
  const report = await runSoak({ seconds: Math.round(minutes * 60), rate, redisUrl, progress: (l) => console.error(`[soak] ${l}`) });
  const out = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
    ...report,
  };
  let root = __dirname;
  while (!fs.existsSync(path.join(root, 'package.json'))) root = path.dirname(root);
  const dir = path.join(root, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'soak.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.log(JSON.stringify(out, null, 2));
  const bad =
    report.messagesLost +
    report.messagesDuplicated +
    report.webhook.lost +
    report.webhook.duplicated +
    report.robot.lost +
    report.robot.duplicated;
  process.exitCode = bad === 0 && report.faults.every((f) => f.recoveryMs >= 0) ? 0 : 1;
}

void main();

import { onCommand, say } from './proc';
import { nowMs } from './stats';

/**
 * The command loop of a baseline server: `run <rate> <seconds> <firstN>` calls `publish(n, due)`
 * at that rate and answers `RESULT` when done; `cpu` answers the process's CPU time so far. Each
 * message is stamped with when it was due, not when it went out: a server behind schedule shows
 * as latency.
 */
export function servePacedRuns(publish: (n: number, dueMs: number) => void) {
  onCommand(async (line) => {
    const [cmd, rate, seconds, firstN] = line.split(' ');
    if (cmd === 'cpu') return say('RESULT', process.cpuUsage());
    if (cmd !== 'run') return;
    const total = Math.round(Number(rate) * Number(seconds));
    const start = nowMs() + 50;
    for (let k = 0; k < total; k++) {
      const due = start + (k * 1000) / Number(rate);
      const wait = due - nowMs();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      publish(Number(firstN) + k, due);
    }
    say('RESULT', { sent: total, startedAt: start });
  });
}

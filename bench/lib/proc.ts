import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

/**
 * A bench helper process (driver or baseline server). It speaks in lines on stdout:
 * `READY <json>` once it is set up, `RESULT <json>` when done; it reads commands on stdin.
 */
export interface Helper {
  ready: Promise<any>;
  /** The first RESULT. */
  result: Promise<any>;
  /** The next RESULT not yet taken by next() (helpers that report several times). */
  next(): Promise<any>;
  send(line: string): void;
  kill(): void;
  child: ChildProcess;
}

export function startHelper(script: string, args: unknown, env: Record<string, string> = {}): Helper {
  const file = path.join(__dirname, '..', script);
  // Arguments travel in a file: 10,000 clients' tokens do not fit on a command line.
  const argsFile = path.join(os.tmpdir(), `imfacade-bench-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(argsFile, JSON.stringify(args));
  const child = spawn(process.execPath, ['--max-old-space-size=4096', file, argsFile], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  let onReady!: (v: unknown) => void;
  let onResult!: (v: unknown) => void;
  let onFail!: (e: Error) => void;
  const ready = new Promise((res, rej) => ((onReady = res), (onFail = rej)));
  const result = new Promise((res, rej) => {
    onResult = res;
    child.on('exit', (code) => rej(new Error(`${script} exited with ${code} before its result`)));
  });
  result.catch(() => undefined);
  ready.catch(() => undefined);
  child.on('exit', (code) => {
    fs.rmSync(argsFile, { force: true });
    onFail(new Error(`${script} exited with ${code} before it was ready`));
  });
  const results: unknown[] = [];
  const waiting: ((v: unknown) => void)[] = [];
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line.startsWith('READY')) onReady(JSON.parse(line.slice(6) || 'null'));
    else if (line.startsWith('RESULT')) {
      const value = JSON.parse(line.slice(7));
      onResult(value);
      const w = waiting.shift();
      if (w) w(value);
      else results.push(value);
    } else process.stderr.write(`[${path.basename(script)}] ${line}\n`);
  });
  return {
    ready,
    result,
    next: () => (results.length ? Promise.resolve(results.shift()) : new Promise((r) => waiting.push(r))),
    child,
    send: (line) => child.stdin!.write(`${line}\n`),
    kill: () => child.kill('SIGKILL'),
  };
}

/** Runs a helper to completion and returns its result. */
export async function runHelper(script: string, args: unknown, env?: Record<string, string>): Promise<any> {
  const h = startHelper(script, args, env);
  try {
    return await h.result;
  } finally {
    h.kill();
  }
}

/** For helpers: report and read commands. */
export const say = (kind: 'READY' | 'RESULT', value: unknown) => process.stdout.write(`${kind} ${JSON.stringify(value)}\n`);
export const argsOf = <T>(): T => JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as T;
export function onCommand(handler: (line: string) => void) {
  readline.createInterface({ input: process.stdin }).on('line', handler);
}

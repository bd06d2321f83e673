import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');

export interface Spawned {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  /** Resolves when `pattern` appears in stdout+stderr; rejects on exit or after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
}

/** Runs a built entry point (dist/) as a real process with the given environment. */
export function runNode(script: string, args: string[], env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, [path.join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pattern, ms = 20_000) {
      return new Promise((resolve, reject) => {
        const started = Date.now();
        const poll = setInterval(() => {
          const m = (out + err).match(pattern);
          if (m) {
            clearInterval(poll);
            resolve(m);
          } else if (child.exitCode !== null || Date.now() - started > ms) {
            clearInterval(poll);
            reject(new Error(`did not see ${pattern} (exit ${child.exitCode}):\n${out}\n${err}`));
          }
        }, 50);
      });
    },
  };
}

export async function runToEnd(script: string, args: string[], env: Record<string, string>) {
  const p = runNode(script, args, env);
  const code = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

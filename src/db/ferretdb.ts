import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { freePort, waitForMongo } from './probe';

/** Finds a FerretDB binary: FERRETDB_BIN, then PATH, then $(go env GOBIN) and $(go env GOPATH)/bin. */
export function locateFerretDb(explicit?: string): string | undefined {
  if (explicit) return fs.existsSync(explicit) ? explicit : undefined;
  const candidates = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((d) => path.join(d, 'ferretdb'));
  try {
    const goenv = (name: string) => execFileSync('go', ['env', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const gobin = goenv('GOBIN');
    if (gobin) candidates.push(path.join(gobin, 'ferretdb'));
    candidates.push(
      ...goenv('GOPATH')
        .split(path.delimiter)
        .filter(Boolean)
        .map((d) => path.join(d, 'bin', 'ferretdb')),
    );
  } catch {
    // no Go toolchain: only PATH and FERRETDB_BIN count
  }
  return candidates.find((c) => {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export interface RunningFerretDb {
  uri: string;
  /** The current process (a restart makes a new one). */
  readonly pid?: number;
  /** Kills the process (SIGKILL: a wedged or stopped one ignores anything gentler) and starts it again on the same address and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts FerretDB with its SQLite backend on a free loopback port, data under `dir`. */
export async function startFerretDb(bin: string, dir: string, log: Logger, fixedPort?: number): Promise<RunningFerretDb> {
  fs.mkdirSync(dir, { recursive: true });
  const port = fixedPort ?? (await freePort());
  const uri = `mongodb://127.0.0.1:${port}/`;
  let current = await spawnFerretDb(bin, dir, port, uri);
  log.info({ engine: 'ferretdb', bin, dir, port }, 'embedded FerretDB started');
  return {
    uri,
    get pid() {
      return current.child.pid;
    },
    async restart() {
      current.child.kill('SIGKILL');
      await current.exited;
      current = await spawnFerretDb(bin, dir, port, uri);
      log.warn({ engine: 'ferretdb', port, pid: current.child.pid }, 'embedded FerretDB restarted');
    },
    async stop() {
      const { child, exited } = current;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function spawnFerretDb(bin: string, dir: string, port: number, uri: string) {
  const child: ChildProcess = spawn(
    bin,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dir}/`,
      `--listen-addr=127.0.0.1:${port}`,
      `--state-dir=${dir}`,
      '--telemetry=disable',
      '--debug-addr=-',
      '--log-level=error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = await Promise.race([waitForMongo(uri, 20_000).then(() => true), exited.then(() => false)]);
  if (!ready) throw new Error(`FerretDB exited during start-up: ${stderr.trim() || 'no output'}`);
  return { child, exited };
}

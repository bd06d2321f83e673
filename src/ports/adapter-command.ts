import type { RequestContext } from '../domain/context';
import type { SurfacePort } from './surface';

/** The flags of one command line: `--name value` pairs, repeatable. */
export interface CliFlags {
  one(name: string): string;
  optional(name: string): string | undefined;
  all(name: string): string[];
}

/**
 * An operator command an adapter adds (`npm run cli -- <noun> <verb> …`). It runs as the operator
 * through the checked tier, like every surface; its result is printed as JSON.
 */
export interface AdapterCommand {
  /** `noun verb`, e.g. `service create`. */
  name: string;
  /** Its line (or lines) of the CLI's usage text. */
  usage: string;
  /** Flags it reads (each takes a value and may repeat). */
  flags: readonly string[];
  run(flags: CliFlags, port: SurfacePort, ctx: RequestContext): Promise<unknown>;
}

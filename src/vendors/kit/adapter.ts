import type { FastifyInstance } from 'fastify';
import type { AnySection } from '../../config/define';
import type { KitDeps } from './router';

/** What every adapter's settings include: its own port and its per-app rate. */
export interface AdapterSettings {
  /** Serve the adapter at the root of this port too (clients whose paths cannot change). */
  port?: number;
  /** Requests per second per app; 0 = unlimited. */
  ratePerSecond: number;
}

/**
 * A vendor adapter as the composition root sees it. Adding one means writing it and adding its
 * descriptor to the list in src/app/adapters.ts; nothing else shared changes.
 */
export interface AdapterDescriptor<Id extends string = string, S extends AdapterSettings = AdapterSettings> {
  id: Id;
  /** Where it is mounted on the main port, e.g. `/easemob`. */
  prefix: string;
  /** Its configuration section (its variables, README's rows, its typed settings). */
  config: AnySection & { name: Id; build(values: never): S };
  /** Registers its routes on a Fastify scope (the prefix, or the root of its own port). */
  register(fastify: FastifyInstance, deps: KitDeps & { settings: S }): Promise<void> | void;
}

export const defineAdapter = <Id extends string, S extends AdapterSettings>(d: AdapterDescriptor<Id, S>) => d;

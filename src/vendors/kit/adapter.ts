import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import type { AnyCredentialKind } from '../../apps/kinds';
import type { AnySection } from '../../config/define';
import type { Log } from '../../domain/context';
import type { WebhookFormatPlugin } from '../../outbox/formats';
import type { AdapterCommand } from '../../ports/adapter-command';
import type { GraphqlExtension } from '../../ports/graphql-extension';
import type { KitDeps } from './router';

/** What every adapter's settings include: its own port and its per-app rate. */
export interface AdapterSettings {
  /** Serve the adapter at the root of this port too (clients whose paths cannot change). */
  port?: number;
  /** Requests per second per app; 0 = unlimited. */
  ratePerSecond: number;
}

/** What an adapter's own areas of state are built from, once per process by the composition root. */
export interface AdapterStateDeps {
  /** The database connection its own models register on (their collections are its alone). */
  connection: Connection;
  log: Log;
}

/**
 * A vendor adapter: everything vendor-specific, as the composition root sees it. Adding one means
 * writing its folder and adding its descriptor to the list in src/vendors/index.ts (or passing it
 * to createApplication); nothing else changes. docs/ARCHITECTURE.md, "Add a vendor adapter".
 */
export interface AdapterDescriptor<Id extends string = string, S extends AdapterSettings = AdapterSettings, State = unknown> {
  id: Id;
  /** Where it is mounted on the main port, e.g. `/easemob`. */
  prefix: string;
  /** Its configuration section (its variables, README's rows, its typed settings). */
  config: AnySection & { name: Id; build(values: never): S };
  /** Refusals of a configuration that parses but must not run (e.g. a production deployment missing a URL). */
  validate?(settings: S, core: { production: boolean }): string[];
  /** The app credentials it issues, stores (its sub-document of the app), rotates and verifies. */
  credentials?(settings: S): AnyCredentialKind;
  /** Settings of the scoped client tokens it issues (their signing keys and issuer), when it issues any. */
  clientTokens?(settings: S): { jwtKeys?: string; issuer: string };
  /** Webhook formats a subscription may ask for, written by this adapter. */
  webhookFormats?: readonly WebhookFormatPlugin[];
  /** Its GraphQL extension. */
  graphql?: GraphqlExtension;
  /** Its operator commands (`npm run cli -- <noun> <verb>`), run as the operator through the checked port. */
  cli?: readonly AdapterCommand[];
  /** Its own areas of state (collections only it reads), built once per process. */
  state?(deps: AdapterStateDeps, settings: S): State;
  /** Registers its routes on a Fastify scope (the prefix, or the root of its own port). */
  register(fastify: FastifyInstance, deps: KitDeps & { settings: S; state: State }): Promise<void> | void;
}

export type AnyAdapter = AdapterDescriptor<string, any, any>;

export type { GraphqlExtension } from '../../ports/graphql-extension';

export const defineAdapter = <Id extends string, S extends AdapterSettings, State = undefined>(d: AdapterDescriptor<Id, S, State>) => d;

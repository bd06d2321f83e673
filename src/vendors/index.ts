import type { AnyAdapter } from './kit/adapter';
import { easemobAdapter } from './easemob';
import { gobelieveAdapter } from './gobelieve';
import { imbeeAdapter } from './imbee';
import { mcgAdapter } from './mcg';
import { wildfireAdapter } from './wildfire';

/**
 * Every built-in adapter, in mount order. The composition root loops over this list (or over the
 * list given to createApplication): each adapter's configuration section, credentials, webhook
 * formats, GraphQL extension, CLI commands, state, and its mount under its prefix and on its own
 * port when configured.
 */
export const adapters = [easemobAdapter, wildfireAdapter, gobelieveAdapter, imbeeAdapter, mcgAdapter] as const;

export type AdapterId = (typeof adapters)[number]['id'];

export const builtInAdapters: readonly AnyAdapter[] = adapters;

export type { AnyAdapter } from './kit/adapter';

import { easemobAdapter } from '../vendors/easemob';
import { gobelieveAdapter } from '../vendors/gobelieve';
import { imbeeAdapter } from '../vendors/imbee';
import { mcgAdapter } from '../vendors/mcg';
import { wildfireAdapter } from '../vendors/wildfire';

/**
 * Every vendor adapter, in mount order. The composition root loops over this list: each adapter's
 * configuration section, its mount under its prefix, and its own port when configured.
 */
export const adapters = [easemobAdapter, wildfireAdapter, gobelieveAdapter, imbeeAdapter, mcgAdapter] as const;

export type AdapterId = (typeof adapters)[number]['id'];

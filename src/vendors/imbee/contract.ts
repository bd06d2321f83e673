import { z } from 'zod';
import type { RouteSpec } from '../kit/router';
import type { ImbeeAccess, ImbeeCall } from './dialect';

/** The Imbee endpoints (shared/seeds/000), with the document's misspellings accepted beside the right spellings. */
const spec = <B = unknown>(s: RouteSpec<ImbeeAccess, B, unknown, unknown, ImbeeCall>) => s;
const idsha = z.string().trim().min(1).max(64);
const opt = (max: number) => z.string().max(max).optional();

export const contract = {
  tokenNew: spec({
    method: 'POST',
    path: '/token/new',
    access: 'corporate',
    body: z.object({
      virtual_user: opt(64),
      virutal_user: opt(64),
      bot_idsha: idsha,
      mail: opt(254),
      celullar: opt(32),
      cellular: opt(32),
      max_retries: z.number().int().min(1).max(1000).optional(),
      date_limit: opt(10),
    }),
  }),
  userNew: spec({
    method: 'POST',
    path: '/third_parties/user/new',
    access: 'corporate',
    body: z.object({ uniqueIdSha: idsha, platform: opt(64), deviceName: opt(128), hardwareId: opt(128), osVersion: opt(64) }),
  }),
  chatCreate: spec({
    method: 'POST',
    path: '/chat/create',
    access: 'apikey',
    body: z.object({ type: z.enum(['chat', 'group']), contacts: z.array(z.object({ idsha })).min(1).max(500), name: opt(128) }),
  }),
  /** The web chat page opens its link here (one retry) and gets a session token for GraphQL. */
  webSession: spec({ method: 'POST', path: '/web/session', access: 'none', body: z.object({ token: z.string().min(1).max(128) }) }),
};

import { z } from 'zod';
import type { RouteSpec } from '../kit/router';
import type { GobelieveAccess, GobelieveCall } from './dialect';

/**
 * The GoBelieve endpoints (shared/seeds/004 and what the real server adds: `forbidden`, bare uid
 * arrays). uids and group ids are integers below 2^53, also accepted as digit strings; a uid names
 * the user whose username is its decimal form.
 */

const spec = <B = unknown, Q = unknown, P = unknown>(s: RouteSpec<GobelieveAccess, B, Q, P, GobelieveCall>) => s;

const MAX_ID = Number.MAX_SAFE_INTEGER;
const intId = z.union([
  z.number().int().positive().max(MAX_ID),
  z
    .string()
    .regex(/^\d{1,16}$/, 'must be a positive integer')
    .transform(Number)
    .pipe(z.number().int().positive().max(MAX_ID)),
]);
/** A uid, as the username it names. */
export const uid = intId.transform(String);
const boolLike = z.union([z.boolean(), z.literal(0).transform(() => false), z.literal(1).transform(() => true)]);
const name = z.string().max(100);
const content = z.string().min(1).max(16_000);

/** A member given as an object or as a bare uid. */
const member = z.union([
  uid.transform((u) => ({ uid: u, name: undefined as string | undefined })),
  z.object({ uid, name: name.optional(), avatar: z.string().max(2_048).optional() }),
]);
export const members = z.array(member).min(1).max(2_000);
export type MemberInput = z.infer<typeof member>;

const uidPath = z.object({ uid });
const groupPath = z.object({ gid: intId });
const memberPath = z.object({ gid: intId, mid: uid });

const DEVICE_KINDS = ['apns', 'pushkit', 'xg', 'xm', 'hw', 'gcm', 'jp'] as const;
export const deviceTokens = z
  .object(
    Object.fromEntries(DEVICE_KINDS.map((k) => [`${k}_device_token`, z.string().min(1).max(512).optional()])) as Record<
      `${(typeof DEVICE_KINDS)[number]}_device_token`,
      z.ZodOptional<z.ZodString>
    >,
  )
  .refine((o) => Object.values(o).some((v) => v !== undefined), { message: 'give at least one device token' });
export { DEVICE_KINDS };

export const contract = {
  grant: spec({
    method: 'POST',
    path: '/auth/grant',
    access: 'server',
    body: z.object({
      uid,
      user_name: name.optional(),
      platform_id: z.number().int().optional(),
      device_id: z.string().max(256).optional(),
    }),
  }),
  customer: spec({
    method: 'POST',
    path: '/auth/customer',
    access: 'customer-login',
    body: z.object({
      appid: intId,
      customer_id: z.string().min(1).max(64),
      name: name.optional(),
      avatar: z.string().max(2_048).optional(),
      platform_id: z.number().int().optional(),
      device_id: z.string().max(256).optional(),
      store_id: intId.optional(),
    }),
  }),
  settings: spec({
    method: 'POST',
    path: '/users/:uid',
    access: 'server',
    params: uidPath,
    body: z.preprocess(
      (v) => v ?? {},
      z.object({
        name: name.optional(),
        do_not_disturb: z.object({ peer_uid: uid, on: boolLike }).optional(),
        mute: boolLike.optional(),
        forbidden: boolLike.optional(),
      }),
    ),
  }),
  bind: spec({ method: 'POST', path: '/users/:uid/bind', access: 'server', params: uidPath, body: deviceTokens }),
  unbind: spec({ method: 'POST', path: '/users/:uid/unbind', access: 'server', params: uidPath, body: deviceTokens }),
  createGroup: spec({
    method: 'POST',
    path: '/groups',
    access: 'server',
    body: z.object({ master: uid, name: name.min(1), super: boolLike.optional(), members: z.array(member).max(2_000).optional() }),
  }),
  renameGroup: spec({ method: 'PATCH', path: '/groups/:gid', access: 'server', params: groupPath, body: z.object({ name: name.min(1) }) }),
  dissolveGroup: spec({ method: 'DELETE', path: '/groups/:gid', access: 'server', params: groupPath }),
  addMembers: spec({
    method: 'POST',
    path: '/groups/:gid/members',
    access: 'server',
    params: groupPath,
    body: z.union([members, z.object({ members, inviter: z.object({ uid, name: name.optional() }).optional() })]),
  }),
  leave: spec({ method: 'DELETE', path: '/groups/:gid/members/:mid', access: 'server', params: memberPath }),
  removeMembers: spec({ method: 'DELETE', path: '/groups/:gid/members', access: 'server', params: groupPath, body: members }),
  upgrade: spec({ method: 'POST', path: '/groups/:gid/upgrade', access: 'server', params: groupPath }),
  memberSettings: spec({
    method: 'PATCH',
    path: '/groups/:gid/members/:mid',
    access: 'server',
    params: memberPath,
    body: z.object({ do_not_disturb: boolLike.optional(), nickname: z.string().max(64).optional(), mute: boolLike.optional() }),
  }),
  peer: spec({ method: 'POST', path: '/messages/peers', access: 'server', body: z.object({ sender: uid, receiver: uid, content }) }),
  group: spec({ method: 'POST', path: '/messages/groups', access: 'server', body: z.object({ sender: uid, receiver: intId, content }) }),
  // Sender 0 is the system, as in the real server's own test script.
  room: spec({
    method: 'POST',
    path: '/messages/rooms',
    access: 'server',
    body: z.object({
      sender: z.union([z.literal(0).transform(() => null), z.literal('0').transform(() => null), uid]),
      receiver: intId,
      content,
    }),
  }),
  system: spec({ method: 'POST', path: '/messages/systems', access: 'server', body: z.object({ receiver: uid, content }) }),
  notification: spec({ method: 'POST', path: '/messages/notifications', access: 'server', body: z.object({ receiver: uid, content }) }),
  groupNotification: spec({
    method: 'POST',
    path: '/messages/groups/notifications',
    access: 'server',
    body: z.object({ group_id: intId, content }),
  }),
  supporters: spec({
    method: 'GET',
    path: '/supporters',
    access: 'client',
    query: z.object({ store_id: intId.optional(), store: intId.optional() }),
  }),
  offline: spec({
    method: 'GET',
    path: '/messages/offline',
    access: 'server',
    query: z.object({
      customer_id: z.string().min(1).max(64),
      platform_id: z.string().max(16).optional(),
      device_id: z.string().max(256).optional(),
    }),
  }),
  history: spec({
    method: 'GET',
    path: '/messages',
    access: 'client',
    query: z.object({ store: intId.optional(), store_id: intId.optional() }),
  }),
};

import { z } from 'zod';
import { boundedJsonObject } from '../kit/validation';
import type { RouteSpec } from '../kit/router';
import type { EasemobAccess } from './dialect';
import type { EasemobCall } from './envelope';
import type { DomainError } from '../../domain/errors';
import { illegalArgument } from './errors';

/**
 * The Easemob endpoints this adapter serves (shared/seeds/003 and, beyond it, sending and
 * recalling), with the schema of each one's input. Read it like the document: method, path, who
 * may call, what the body, query and path carry. Limits are the document's.
 */

const MAX_NAME = 256;
export const name = z.string().min(1).max(MAX_NAME);
/** Whole numbers, also as strings: the document's examples send both. */
export const intLike = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^-?\d{1,9}$/, 'must be a whole number')
    .transform(Number),
]);
export const boolLike = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'),
  z.literal(0),
  z.literal(1),
]);
const toBool = (v: boolean | 0 | 1) => v === true || v === 1;

export const appPath = { org_name: z.string().max(MAX_NAME), app_name: z.string().max(MAX_NAME) };
export const userPath = z.object({ ...appPath, username: name });
const pairPath = z.object({ ...appPath, owner_username: name, other_username: name });
const ownerPath = z.object({ ...appPath, owner_username: name });

export const spec = <B = unknown, Q = unknown, P = unknown>(s: RouteSpec<EasemobAccess, B, Q, P, EasemobCall>) => s;

/** A JSON body where no body at all reads as `{}`: the document's POSTs often send none. */
export const jsonBody = <T extends z.ZodType>(schema: T) => z.preprocess((v) => v ?? {}, schema);

/** Lists of usernames: anything but a non-empty array of names is one illegal argument, however it is wrong. */
const USERNAMES_MESSAGE = 'usernames must be a non-empty array of usernames';
const usernamesErrors = {
  INVALID_INPUT: (e: DomainError) =>
    e.details.field?.startsWith('usernames') || e.details.field === 'body' ? illegalArgument(USERNAMES_MESSAGE) : undefined,
};

// --- token -----------------------------------------------------------------------------------
const ttl = z.preprocess(
  (v) => (v === undefined || v === null || v === '' ? undefined : typeof v === 'string' ? Number(v) : v),
  z.number().int('ttl must be a positive number of seconds').min(1, 'ttl must be a positive number of seconds').optional(),
);
export const tokenRequest = z.discriminatedUnion('grant_type', [
  z.object({ grant_type: z.literal('client_credentials'), client_id: name, client_secret: name, ttl }),
  z.object({ grant_type: z.literal('password'), username: name, password: name, ttl }),
]);

// --- users -----------------------------------------------------------------------------------
const registration = z.object({
  username: z.string().max(MAX_NAME),
  password: z.string().max(MAX_NAME),
  nickname: z.string().max(100).nullish(),
});
/** Paging of list and batch delete: `limit` (the service bounds it) and `cursor`. */
const paging = z.object({
  // `limit=` (empty) is no limit given, as before the schema existed.
  limit: z.preprocess((v) => (v === '' ? undefined : v), intLike.optional()),
  cursor: z.string().max(512).optional(),
});

/** PUT /users/{username}: push nickname, notification settings, per-group mutes and (beyond the document) the device token. */
const settingsBody = z
  .object({
    nickname: z.string().max(100).nullable().optional(),
    notification_display_style: intLike.pipe(z.union([z.literal(0), z.literal(1)])).optional(),
    notification_no_disturbing: boolLike.optional(),
    notification_no_disturbing_start: intLike.optional(),
    notification_no_disturbing_end: intLike.optional(),
    device_token: z.string().min(1).max(512).optional(),
    notifier_name: z.string().max(128).optional(),
    device_id: z.string().max(128).optional(),
    provider: z.string().max(32).optional(),
  })
  .catchall(z.unknown())
  .superRefine((b, ctx) => {
    for (const [k, v] of Object.entries(b)) {
      if (k.startsWith('notification_ignore_') && !boolLike.safeParse(v).success) {
        ctx.addIssue({ code: 'custom', path: [k], message: `${k} must be true or false`, input: v });
      }
    }
  });
export type SettingsBody = z.output<typeof settingsBody>;
export const ignoredGroups = (b: SettingsBody) =>
  Object.entries(b)
    .filter(([k]) => k.startsWith('notification_ignore_'))
    .map(([k, v]) => ({ groupId: k.slice('notification_ignore_'.length), muted: toBool(boolLike.parse(v)) }));
export { toBool };

// --- messages --------------------------------------------------------------------------------
/** Easemob's message types (the real API's, beyond the seed document's). */
export const MESSAGE_TYPES = ['txt', 'img', 'loc', 'audio', 'video', 'file', 'cmd', 'custom'] as const;
const target = z.union([z.string().min(1).max(MAX_NAME), z.number().int().nonnegative()]).transform(String);
const messageBody = (maxTargets: number) =>
  z.object({
    from: name,
    to: z.array(target).min(1, 'to must be a non-empty array').max(maxTargets, `at most ${maxTargets} recipients per request`),
    type: z.enum(MESSAGE_TYPES, `type must be one of ${MESSAGE_TYPES.join(', ')}`),
    body: z.record(z.string(), z.unknown()),
    ext: boundedJsonObject(32, 16_384).optional(),
  });
export type MessageBody = z.output<ReturnType<typeof messageBody>>;

/** The legacy send, `POST /messages`: one target kind, the content under `msg`. */
const legacyMessage = z.object({
  target_type: z.enum(['users', 'chatgroups', 'chatrooms'], 'target_type must be users, chatgroups or chatrooms'),
  target: z.array(target).min(1, 'target must be a non-empty array').max(600, 'at most 600 targets per request'),
  // The vendor unwrapped a one-element array (easemob-sdk's own "through message" test sends one).
  from: z.union([name, z.tuple([name]).transform(([n]) => n)]),
  msg: z.object({ type: z.enum(MESSAGE_TYPES, `type must be one of ${MESSAGE_TYPES.join(', ')}`) }).catchall(z.unknown()),
  ext: boundedJsonObject(32, 16_384).optional(),
});
export type LegacyMessage = z.output<typeof legacyMessage>;

export const contract = {
  token: spec({ method: 'POST', path: '/:org_name/:app_name/token', access: 'none', body: jsonBody(tokenRequest) }),

  registerUsers: spec({
    method: 'POST',
    path: '/:org_name/:app_name/users',
    access: 'open-registration',
    body: jsonBody(z.union([registration, z.array(registration).min(1).max(60, 'at most 60 users per call')])),
  }),
  getUser: spec({ method: 'GET', path: '/:org_name/:app_name/users/:username', access: 'self', params: userPath }),
  listUsers: spec({ method: 'GET', path: '/:org_name/:app_name/users', access: 'app', query: paging }),
  deleteUser: spec({ method: 'DELETE', path: '/:org_name/:app_name/users/:username', access: 'app', params: userPath }),
  deleteUsers: spec({ method: 'DELETE', path: '/:org_name/:app_name/users', access: 'app', query: paging }),
  changePassword: spec({
    method: 'PUT',
    path: '/:org_name/:app_name/users/:username/password',
    access: 'app',
    params: userPath,
    body: jsonBody(z.object({ newpassword: z.string().min(1).max(MAX_NAME) }, 'the request body must be a JSON object')),
  }),
  updateUser: spec({
    method: 'PUT',
    path: '/:org_name/:app_name/users/:username',
    access: 'self',
    params: userPath,
    body: jsonBody(z.object({}, 'the request body must be a JSON object').passthrough().pipe(settingsBody)),
  }),

  addContact: spec({
    method: 'POST',
    path: '/:org_name/:app_name/users/:owner_username/contacts/users/:other_username',
    access: 'self',
    params: pairPath,
  }),
  removeContact: spec({
    method: 'DELETE',
    path: '/:org_name/:app_name/users/:owner_username/contacts/users/:other_username',
    access: 'self',
    params: pairPath,
  }),
  listContacts: spec({
    method: 'GET',
    path: '/:org_name/:app_name/users/:owner_username/contacts/users',
    access: 'self',
    params: ownerPath,
  }),
  /** The paginated contact list (`/user/…`, singular, as the real API spells it), with remarks on request. */
  pageContacts: spec({
    method: 'GET',
    path: '/:org_name/:app_name/user/:username/contacts',
    access: 'self',
    params: userPath,
    query: z.object({
      limit: z.preprocess((v) => (v === '' ? undefined : v), intLike.pipe(z.number().min(1).max(50)).optional()),
      cursor: z.string().max(64).optional(),
      needReturnRemark: boolLike.optional(),
    }),
  }),
  listBlocks: spec({ method: 'GET', path: '/:org_name/:app_name/users/:owner_username/blocks/users', access: 'self', params: ownerPath }),
  addBlocks: spec({
    method: 'POST',
    path: '/:org_name/:app_name/users/:owner_username/blocks/users',
    access: 'self',
    params: ownerPath,
    body: jsonBody(z.object({ usernames: z.array(name).min(1).max(500) })),
    errors: usernamesErrors,
  }),
  removeBlock: spec({
    method: 'DELETE',
    path: '/:org_name/:app_name/users/:owner_username/blocks/users/:other_username',
    access: 'self',
    params: pairPath,
  }),

  userStatus: spec({ method: 'GET', path: '/:org_name/:app_name/users/:username/status', access: 'self', params: userPath }),
  batchStatus: spec({
    method: 'POST',
    path: '/:org_name/:app_name/users/batch/status',
    access: 'app',
    body: jsonBody(z.object({ usernames: z.array(z.string().max(MAX_NAME)).min(1).max(1000) })),
    errors: usernamesErrors,
  }),
  offlineCount: spec({ method: 'GET', path: '/:org_name/:app_name/users/:username/offline_msg_count', access: 'self', params: userPath }),
  offlineStatus: spec({
    method: 'GET',
    path: '/:org_name/:app_name/users/:username/offline_msg_status/:msg_id',
    access: 'self',
    params: z.object({ ...appPath, username: name, msg_id: z.string().max(64) }),
  }),
  deactivate: spec({ method: 'POST', path: '/:org_name/:app_name/users/:username/deactivate', access: 'app', params: userPath }),
  activate: spec({ method: 'POST', path: '/:org_name/:app_name/users/:username/activate', access: 'app', params: userPath }),
  disconnect: spec({ method: 'GET', path: '/:org_name/:app_name/users/:username/disconnect', access: 'app', params: userPath }),

  sendToUsers: spec({ method: 'POST', path: '/:org_name/:app_name/messages/users', access: 'app', body: jsonBody(messageBody(600)) }),
  sendToGroups: spec({ method: 'POST', path: '/:org_name/:app_name/messages/chatgroups', access: 'app', body: jsonBody(messageBody(100)) }),
  sendToRooms: spec({ method: 'POST', path: '/:org_name/:app_name/messages/chatrooms', access: 'app', body: jsonBody(messageBody(100)) }),
  sendLegacy: spec({ method: 'POST', path: '/:org_name/:app_name/messages', access: 'app', body: jsonBody(legacyMessage) }),
  recall: spec({
    method: 'POST',
    path: '/:org_name/:app_name/messages/msg_recall',
    access: 'app',
    body: jsonBody(
      z.object({
        msg_id: z
          .union([z.string().min(1), z.number().int().nonnegative()])
          .transform(String)
          .pipe(
            z
              .string()
              .regex(/^\d{1,16}$/, 'msg_id must be the id returned when the message was sent')
              // Above 2^53 a number rounds to another: no id is that large, so none is meant.
              .refine((s) => Number.isSafeInteger(Number(s)), 'msg_id must be the id returned when the message was sent'),
          ),
        to: z.string().max(MAX_NAME).optional(),
        from: z.string().max(MAX_NAME).optional(),
        chat_type: z.string().max(32).optional(),
      }),
    ),
  }),
};

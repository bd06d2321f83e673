import { z } from 'zod';
import { boundedJsonObject } from '../kit/validation';
import type { RouteSpec } from '../kit/router';
import type { WildfireAccess, WildfireCall } from './dialect';

/**
 * The robot API (shared/seeds/002 and, beyond it, what the real robot API serves): every call is a
 * signed POST with a JSON body. Limits: ids 64 characters, texts 5,000, a payload 16 KiB as JSON.
 */

const spec = <B = unknown>(s: RouteSpec<WildfireAccess, B, unknown, unknown, WildfireCall>) => s;
const id = z.string().min(1).max(64);
/** Wildfire longs arrive as numbers or strings. */
const uid = z.union([
  z.number().int().nonnegative().refine(Number.isSafeInteger, 'must be a message uid'),
  z
    .string()
    .regex(/^\d{1,16}$/, 'must be a message uid')
    .transform(Number)
    // Above 2^53 a number rounds to another: no uid is that large.
    .refine(Number.isSafeInteger, 'must be a message uid'),
]);

/** MessagePayload as Wildfire defines it; unknown fields are kept (the payload comes back whole). */
export const payload = boundedJsonObject(6, 16_384).pipe(
  z
    .object({
      type: z.number().int().min(0).max(100_000),
      searchableContent: z.string().max(5_000).optional(),
      pushContent: z.string().max(1_000).optional(),
      pushData: z.string().max(4_000).optional(),
      content: z.string().max(8_000).optional(),
      base64edData: z.string().max(16_000).optional(),
      mediaType: z.number().int().optional(),
      remoteMediaUrl: z.string().max(2_048).optional(),
      persistFlag: z.number().int().optional(),
      expireDuration: z.number().int().optional(),
      mentionedType: z.number().int().optional(),
      mentionedTarget: z.array(z.string().max(64)).max(1_000).optional(),
      extra: z.string().max(4_000).optional(),
    })
    .passthrough(),
);
export type WildfirePayload = z.infer<typeof payload>;

const conv = z.object({ type: z.number().int(), target: id, line: z.number().int().min(0).max(1_000).optional() });

const userQuery = z.object({ userId: id.optional(), name: id.optional(), mobile: z.string().min(1).max(32).optional() });

export const contract = {
  send: spec({ method: 'POST', path: '/robot/message/send', access: 'robot', body: z.object({ sender: id.optional(), conv, payload }) }),
  reply: spec({
    method: 'POST',
    path: '/robot/message/reply',
    access: 'robot',
    body: z.object({ messageUid: uid, payload, only2Sender: z.boolean().optional() }),
  }),
  recall: spec({ method: 'POST', path: '/robot/message/recall', access: 'robot', body: z.object({ messageUid: uid }) }),
  userInfo: spec({ method: 'POST', path: '/robot/user_info', access: 'robot', body: userQuery }),
  getInfo: spec({ method: 'POST', path: '/robot/get_info', access: 'robot', body: userQuery }),
  profile: spec({ method: 'POST', path: '/robot/profile', access: 'robot' }),
  updateProfile: spec({
    method: 'POST',
    path: '/robot/update_profile',
    access: 'robot',
    // The document's {type, value}; the Python SDK sends the Java SDK's {intValue, strValue}.
    body: z.union([
      z.object({ type: z.number().int(), value: z.string().max(2_048) }),
      z.object({ intValue: z.number().int(), strValue: z.string().max(2_048) }).transform((b) => ({ type: b.intValue, value: b.strValue })),
    ]),
  }),
  setCallback: spec({
    method: 'POST',
    path: '/robot/set_callback',
    access: 'robot',
    body: z.object({ url: z.string().max(2_048).optional() }),
  }),
  getCallback: spec({ method: 'POST', path: '/robot/get_callback', access: 'robot' }),
  deleteCallback: spec({ method: 'POST', path: '/robot/delete_callback', access: 'robot' }),
};

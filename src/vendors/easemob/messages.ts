import type { FastifyInstance } from 'fastify';
import { isDomainError } from '../../domain/errors';
import type { SendInput } from '../../messages/service';
import type { Services } from '../../services';
import { illegalArgument, notFoundError, requiredProperty } from './errors';
import type { EasemobKit } from './request';

const MAX_USERS = 600;
const MAX_GROUPS = 100;

type Body = Record<string, unknown>;

/** The Easemob send body (`type`, `body`, `ext`) as the domain's message content. */
function contentOf(b: Body): Omit<SendInput, 'to' | 'conversationId' | 'from'> {
  const body = (b.body && typeof b.body === 'object' && !Array.isArray(b.body) ? b.body : undefined) as Body | undefined;
  if (!body) throw requiredProperty('body');
  const ext = b.ext === undefined ? undefined : b.ext;
  if (ext !== undefined && (typeof ext !== 'object' || ext === null || Array.isArray(ext)))
    throw illegalArgument('ext must be a JSON object');
  const withExt = (o: object) => (Object.keys(o).length ? JSON.stringify(o) : null);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  switch (b.type) {
    case 'txt':
      return { type: 'text', text: str(body.msg) ?? null, payload: withExt(ext ? { ext } : {}) };
    case 'img':
    case 'file': {
      const size = typeof body.file_length === 'number' ? body.file_length : typeof body.size === 'number' ? body.size : null;
      return {
        type: b.type === 'img' ? 'image' : 'file',
        url: str(body.url) ?? null,
        fileName: str(body.filename) ?? null,
        size,
        payload: withExt(ext ? { ext } : {}),
      };
    }
    case 'custom':
      if (typeof body.customEvent !== 'string' || body.customEvent === '') throw requiredProperty('customEvent');
      return {
        type: 'custom',
        payload: JSON.stringify({ customEvent: body.customEvent, customExts: body.customExts ?? {}, ...(ext ? { ext } : {}) }),
      };
    case undefined:
      throw requiredProperty('type');
    default:
      throw illegalArgument('type must be txt, img, file or custom');
  }
}

function targets(b: Body, max: number): string[] {
  const to = b.to;
  if (to === undefined) throw requiredProperty('to');
  if (!Array.isArray(to) || to.length === 0 || !to.every((t) => (typeof t === 'string' && t !== '') || Number.isInteger(t))) {
    throw illegalArgument('to must be a non-empty array');
  }
  if (to.length > max) throw illegalArgument(`at most ${max} recipients per request`);
  return to.map(String);
}

/**
 * Sends one message per target. Content errors fail the request before anything is sent; a
 * target that cannot receive (unknown, blocked, not a member) gets `fail: <reason>` in `data`.
 */
async function sendEach(list: string[], send: (target: string) => Promise<{ uid: number }>) {
  const data: Record<string, string> = {};
  for (const target of list) {
    try {
      data[target] = String((await send(target)).uid);
    } catch (e) {
      // Only what is about this target is a per-target failure; anything about the content fails the request.
      const aboutTarget =
        isDomainError(e) &&
        (e.code === 'NOT_FOUND' || e.code === 'FORBIDDEN' || (e.code === 'INVALID_INPUT' && e.details.field === 'peer'));
      if (!aboutTarget) throw e;
      data[target] = `fail: ${e.message}`;
    }
  }
  return data;
}

/** Beyond the document: sending to users and groups, and recalling, for integrations that also send. */
export function registerMessageRoutes(fastify: FastifyInstance, services: Services, kit: EasemobKit) {
  const { messages, groups } = services;
  const fromOf = (b: Body) => {
    if (typeof b.from !== 'string' || b.from === '') throw requiredProperty('from');
    return { username: b.from };
  };

  fastify.post(
    '/:org_name/:app_name/messages/users',
    kit.route('admin', async (call, req) => {
      const b = (req.body ?? {}) as Body;
      const content = contentOf(b);
      const list = targets(b, MAX_USERS);
      const from = fromOf(b);
      const data = await sendEach(list, (to) => messages.send(call.ctx, { ...content, from, to: { username: to } }));
      return kit.envelope(call, 'post', { path: '/messages/users', data });
    }),
  );

  fastify.post(
    '/:org_name/:app_name/messages/chatgroups',
    kit.route('admin', async (call, req) => {
      const b = (req.body ?? {}) as Body;
      const content = contentOf(b);
      const list = targets(b, MAX_GROUPS);
      const bad = list.find((g) => !/^\d{1,15}$/.test(g));
      if (bad) throw illegalArgument(`${bad} is not a group id`);
      const from = fromOf(b);
      const data = await sendEach(list, async (groupId) => {
        const group = await groups.get(call.ctx, Number(groupId));
        return messages.send(call.ctx, { ...content, from, conversationId: group.conversationId });
      });
      return kit.envelope(call, 'post', { path: '/messages/chatgroups', data });
    }),
  );

  fastify.post(
    '/:org_name/:app_name/messages/msg_recall',
    kit.route('admin', async (call, req) => {
      const b = (req.body ?? {}) as Body;
      const id = typeof b.msg_id === 'number' ? String(b.msg_id) : b.msg_id;
      if (id === undefined || id === '') throw requiredProperty('msg_id');
      if (typeof id !== 'string' || !/^\d{1,16}$/.test(id))
        throw illegalArgument('msg_id must be the id returned when the message was sent');
      const message = await messages.findByUid(call.ctx, Number(id)).catch((e: unknown) => {
        throw isDomainError(e) && e.code === 'NOT_FOUND' ? notFoundError() : e;
      });
      await messages.recall(call.ctx, message.id);
      return kit.envelope(call, 'post', {
        path: '/messages/msg_recall',
        data: { recalled: 'yes', msg_id: id, chattype: b.chat_type ?? 'chat', from: b.from ?? null, to: b.to ?? null },
      });
    }),
  );
}

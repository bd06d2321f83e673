import type { MessageContent, SendOutcome } from '../../../messages/service';
import { contract, type MessageBody } from '../contract';
import type { EasemobRoutes } from '../dialect';
import { envelope } from '../envelope';
import { illegalArgument, requiredProperty } from '../errors';

/** The Easemob send body (`type`, `body`, `ext`) as the domain's message content. */
function contentOf(b: MessageBody): MessageContent {
  const body = b.body;
  const withExt = (o: object) => (Object.keys(o).length ? JSON.stringify(o) : null);
  const ext = b.ext ? { ext: b.ext } : {};
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  switch (b.type) {
    case 'txt':
      return { type: 'text', text: str(body.msg), payload: withExt(ext) };
    case 'img':
    case 'file': {
      const size = typeof body.file_length === 'number' ? body.file_length : typeof body.size === 'number' ? body.size : null;
      return { type: b.type === 'img' ? 'image' : 'file', url: str(body.url), fileName: str(body.filename), size, payload: withExt(ext) };
    }
    case 'custom':
      if (typeof body.customEvent !== 'string' || body.customEvent === '') throw requiredProperty('customEvent');
      return { type: 'custom', payload: JSON.stringify({ customEvent: body.customEvent, customExts: body.customExts ?? {}, ...ext }) };
  }
}

/** `data`: each target's message id, or `fail: <reason>` for a target that cannot receive. */
const dataOf = (outcomes: SendOutcome[]) =>
  Object.fromEntries(outcomes.map((o) => [o.target, o.message ? String(o.message.uid) : `fail: ${o.failure}`]));

/** Beyond the document: sending to users and groups, and recalling, for integrations that also send. */
export function registerMessageRoutes({ route, services }: EasemobRoutes) {
  const { messages } = services;

  route(contract.sendToUsers, async (call, { body }) => {
    const targets = body.to.map((username) => ({ key: username, to: { username } }));
    const outcomes = await messages.sendToEach(call.ctx, { ...contentOf(body), from: { username: body.from } }, targets);
    return envelope('post', { path: '/messages/users', data: dataOf(outcomes) });
  });

  route(contract.sendToGroups, async (call, { body }) => {
    const bad = body.to.find((g) => !/^\d{1,15}$/.test(g));
    if (bad) throw illegalArgument(`${bad} is not a group id`);
    const targets = body.to.map((id) => ({ key: id, groupId: Number(id) }));
    const outcomes = await messages.sendToEach(call.ctx, { ...contentOf(body), from: { username: body.from } }, targets);
    return envelope('post', { path: '/messages/chatgroups', data: dataOf(outcomes) });
  });

  route(contract.recall, async (call, { body }) => {
    await messages.recallByUid(call.ctx, Number(body.msg_id));
    return envelope('post', {
      path: '/messages/msg_recall',
      data: { recalled: 'yes', msg_id: body.msg_id, chattype: body.chat_type ?? 'chat', from: body.from ?? null, to: body.to ?? null },
    });
  });
}

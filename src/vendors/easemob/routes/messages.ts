import { isDomainError } from '../../../domain/errors';
import type { MessageContent, SendInput, SendOutcome } from '../../../messages/service';
import { contract, type MessageBody } from '../contract';
import type { EasemobRoutes } from '../dialect';
import { envelope, type EasemobCall } from '../envelope';
import { illegalArgument, requiredProperty } from '../errors';

const str = (v: unknown) => (typeof v === 'string' ? v : null);
const num = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null);
const imageSize = (v: unknown) =>
  !!v && typeof v === 'object' && num((v as { width?: unknown }).width) !== null && num((v as { height?: unknown }).height) !== null;

/**
 * An Easemob message body (`type`, `body`, `ext`) as the domain's message content. What the domain
 * has no column for (lengths, thumbnails, coordinates, custom fields) travels in the payload, with
 * `ext` as `{"ext": …}`, so every surface can read it back.
 */
export function contentOf(type: MessageBody['type'], body: Record<string, unknown>, extObject?: Record<string, unknown>): MessageContent {
  const ext = extObject ? { ext: extObject } : {};
  const json = (o: object) => (Object.keys(o).length ? JSON.stringify(o) : null);
  const media = { url: str(body.url), fileName: str(body.filename) };
  // What a downloader of an uploaded file needs (/chatfiles): its share secret(s), an image's size.
  const file = {
    ...(str(body.secret) ? { secret: body.secret } : {}),
    ...(str(body.thumb_secret) ? { thumb_secret: body.thumb_secret } : {}),
    ...(imageSize(body.size) ? { size: body.size } : {}),
  };
  switch (type) {
    case 'txt':
      return { type: 'text', text: str(body.msg), payload: json(ext) };
    case 'img':
    case 'file':
      return {
        type: type === 'img' ? 'image' : 'file',
        ...media,
        size: num(body.file_length) ?? num(body.size),
        payload: json({ ...file, ...ext }),
      };
    case 'audio':
      return { type: 'audio', ...media, payload: json({ ...(num(body.length) !== null ? { length: body.length } : {}), ...file, ...ext }) };
    case 'video': {
      const extra = { ...(num(body.length) !== null ? { length: body.length } : {}), ...(str(body.thumb) ? { thumb: body.thumb } : {}) };
      return { type: 'video', ...media, size: num(body.file_length), payload: json({ ...extra, ...file, ...ext }) };
    }
    case 'loc':
      for (const k of ['lat', 'lng', 'addr']) if (body[k] === undefined || body[k] === null || body[k] === '') throw requiredProperty(k);
      return {
        type: 'location',
        text: String(body.addr),
        payload: JSON.stringify({ lat: String(body.lat), lng: String(body.lng), addr: String(body.addr), ...ext }),
      };
    case 'cmd':
      if (!str(body.action)) throw requiredProperty('action');
      return { type: 'command', text: str(body.action), payload: json(ext) };
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
  const { messages, rooms } = services;

  /** To chat rooms that exist (made through `/chatrooms`); any other id is a failed target, not a new room. */
  async function sendToRooms(call: EasemobCall, content: SendInput, ids: string[]): Promise<SendOutcome[]> {
    const known: string[] = [];
    for (const id of new Set(ids)) {
      if (!/^[1-9]\d{0,15}$/.test(id)) continue;
      const room = await rooms.get(call.ctx, Number(id)).catch((e: unknown) => {
        if (isDomainError(e) && e.code === 'NOT_FOUND') return null;
        throw e;
      });
      if (room) known.push(id);
    }
    const outcomes = await messages.sendToEach(
      call.ctx,
      content,
      known.map((id) => ({ key: id, roomId: Number(id) })),
    );
    return ids.map((id) => outcomes.find((o) => o.target === id) ?? { target: id, failure: `chatroom ${id} does not exist` });
  }

  route(contract.sendToUsers, async (call, { body }) => {
    const targets = body.to.map((username) => ({ key: username, to: { username } }));
    const outcomes = await messages.sendToEach(
      call.ctx,
      { ...contentOf(body.type, body.body, body.ext), from: { username: body.from } },
      targets,
    );
    return envelope('post', { path: '/messages/users', data: dataOf(outcomes) });
  });

  route(contract.sendToGroups, async (call, { body }) => {
    const bad = body.to.find((g) => !/^\d{1,15}$/.test(g));
    if (bad) throw illegalArgument(`${bad} is not a group id`);
    const targets = body.to.map((id) => ({ key: id, groupId: Number(id) }));
    const outcomes = await messages.sendToEach(
      call.ctx,
      { ...contentOf(body.type, body.body, body.ext), from: { username: body.from } },
      targets,
    );
    return envelope('post', { path: '/messages/chatgroups', data: dataOf(outcomes) });
  });

  route(contract.sendToRooms, async (call, { body }) => {
    const content = { ...contentOf(body.type, body.body, body.ext), from: { username: body.from } };
    return envelope('post', { path: '/messages/chatrooms', data: dataOf(await sendToRooms(call, content, body.to)) });
  });

  // The legacy send: `{target_type, target, msg: {type, …content}, from, ext}`; `data` says success per target.
  route(contract.sendLegacy, async (call, { body }) => {
    const { type: given, ...msg } = body.msg;
    // A `txt` with an `action` and no `msg` is the through (cmd) message easemob-sdk's own test sends.
    const type = given === 'txt' && msg.msg === undefined && typeof msg.action === 'string' ? 'cmd' : given;
    const content = { ...contentOf(type, msg, body.ext), from: { username: body.from } };
    if (body.target_type === 'chatgroups') {
      const bad = body.target.find((g) => !/^\d{1,15}$/.test(g));
      if (bad) throw illegalArgument(`${bad} is not a group id`);
    }
    const targets = body.target.map((t) =>
      body.target_type === 'users' ? { key: t, to: { username: t } } : { key: t, groupId: Number(t) },
    );
    const outcomes =
      body.target_type === 'chatrooms'
        ? await sendToRooms(call, content, body.target)
        : await messages.sendToEach(call.ctx, content, targets);
    const data = Object.fromEntries(outcomes.map((o) => [o.target, o.message ? 'success' : `fail: ${o.failure}`]));
    return envelope('post', { path: '/messages', data });
  });

  route(contract.recall, async (call, { body }) => {
    await messages.recallByUid(call.ctx, Number(body.msg_id));
    return envelope('post', {
      path: '/messages/msg_recall',
      data: { recalled: 'yes', msg_id: body.msg_id, chattype: body.chat_type ?? 'chat', from: body.from ?? null, to: body.to ?? null },
    });
  });
}

import type { ConversationRecord } from '../../conversations/records';
import type { RequestContext } from '../../domain/context';
import type { MessageRecord } from '../../messages/records';
import type { ConversationService } from '../../conversations/service';
import type { UserService } from '../../users/service';

/** How Easemob names a conversation kind in `chat_type`. */
export type ChatType = 'chat' | 'groupchat' | 'chatroom';

const parse = (payload: string | null): Record<string, unknown> => {
  if (!payload) return {};
  try {
    const v: unknown = JSON.parse(payload);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};
const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));

/**
 * A stored message as the one body of an Easemob message (`bodies[0]`) and its `ext`: the reverse
 * of routes/messages.ts contentOf, so what came in through Easemob goes out as it came, and what
 * other surfaces sent reads as the closest Easemob type.
 */
export function bodyOf(m: MessageRecord): { body: Record<string, unknown>; ext: Record<string, unknown> } {
  const { ext, ...extra } = parse(m.payload);
  const extObject = ext && typeof ext === 'object' && !Array.isArray(ext) ? (ext as Record<string, unknown>) : {};
  const media = { url: m.url, filename: m.fileName, secret: extra.secret };
  switch (m.type) {
    case 'image':
    case 'file':
      return {
        body: defined({ type: m.type === 'image' ? 'img' : 'file', ...media, size: extra.size, file_length: m.size }),
        ext: extObject,
      };
    case 'audio':
      return { body: defined({ type: 'audio', ...media, length: extra.length, file_length: m.size }), ext: extObject };
    case 'video': {
      const thumb = { thumb: extra.thumb, thumb_secret: extra.thumb_secret };
      return { body: defined({ type: 'video', ...media, length: extra.length, ...thumb, file_length: m.size }), ext: extObject };
    }
    case 'location':
      return { body: defined({ type: 'loc', lat: extra.lat, lng: extra.lng, addr: extra.addr ?? m.text }), ext: extObject };
    case 'command':
      return { body: { type: 'cmd', action: m.text ?? '' }, ext: extObject };
    case 'custom':
      return { body: defined({ type: 'custom', customEvent: extra.customEvent, customExts: extra.customExts }), ext: extObject };
    default:
      // text, and the kinds Easemob has no type for (system notices, notifications): their text.
      return { body: { type: 'txt', msg: m.text ?? m.url ?? '' }, ext: extObject };
  }
}

/** Who and where a message is, as Easemob addresses it. */
export interface Addressing {
  from: string;
  to: string;
  chatType: ChatType;
}

/**
 * The recipient and chat type of messages in a conversation as seen from their sender: a group's
 * or room's id, or (one-to-one kinds) the other member's username.
 */
export async function addressingOf(
  ctx: RequestContext,
  conversations: Pick<ConversationService, 'rosterOf'>,
  conversation: ConversationRecord,
  senderId: string | null,
  nameOf: (userId: string) => Promise<string | undefined> = async (id) => (await ctx.loaders.userById.load(id))?.username,
): Promise<Omit<Addressing, 'from'>> {
  if (conversation.kind === 'group') return { to: String(conversation.groupId), chatType: 'groupchat' };
  if (conversation.kind === 'room') return { to: String(conversation.roomId), chatType: 'chatroom' };
  const roster = await conversations.rosterOf(ctx, conversation.id);
  const other = roster.find((m) => m.userId !== senderId) ?? roster[0];
  return { to: (other && (await nameOf(other.userId))) ?? '', chatType: 'chat' };
}

/**
 * Addresses for a run of stored messages (export, history query): who each is from and to, with
 * deleted users under the names they had (history keeps them), the conversation's addressing and
 * the names read once per run (bounded).
 */
export function createAddressBook(
  ctx: RequestContext,
  conversations: Pick<ConversationService, 'rosterOf'>,
  users: Pick<UserService, 'namesOf'>,
) {
  const where = new Map<string, Omit<Addressing, 'from'>>();
  const names = new Map<string, string>();
  const nameOf = async (id: string) => {
    if (!names.has(id)) {
      if (names.size > 10_000) names.clear();
      names.set(id, (await users.namesOf(ctx, [id])).get(id) ?? '');
    }
    return names.get(id);
  };
  return async function addressOf(m: MessageRecord): Promise<Addressing | null> {
    const conversation = await ctx.loaders.conversationById.load(m.conversationId);
    if (!conversation) return null;
    const key = conversation.kind === 'group' || conversation.kind === 'room' ? conversation.id : `${conversation.id}:${m.senderId}`;
    let to = where.get(key);
    if (!to) {
      if (where.size > 10_000) where.clear();
      where.set(key, (to = await addressingOf(ctx, conversations, conversation, m.senderId, nameOf)));
    }
    return { from: m.senderId ? ((await nameOf(m.senderId)) ?? '') : 'admin', ...to };
  };
}

/** One message in the vendor's message format (history export, callbacks). */
export function vendorMessage(m: MessageRecord, a: Addressing) {
  const { body, ext } = bodyOf(m);
  return {
    msg_id: String(m.uid),
    timestamp: m.createdAt.getTime(),
    direction: 'outgoing',
    to: a.to,
    from: a.from,
    chat_type: a.chatType,
    payload: { bodies: [body], ext, from: a.from, to: a.to },
  };
}

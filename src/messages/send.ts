import { Types } from 'mongoose';
import type { ContactService } from '../contacts/service';
import { isMutedNow, type ConversationRecord } from '../conversations/records';
import type { ConversationService } from '../conversations/service';
import { retryTransient } from '../db/transient';
import { isAccount, type RequestContext } from '../domain/context';
import { DomainError, forbidden, invalidInput, isDomainError, notFound } from '../domain/errors';
import { checkUrl } from '../domain/validators';
import { topics } from '../events/catalog';
import type { GroupService } from '../groups/service';
import type { UserRecord } from '../users/records';
import type { UserRef, UserService } from '../users/service';
import { MESSAGE_TYPES, type MessageRecord, type MessageType } from './records';
import { nextUid, type MessageStore } from './store';

/** Who hears a message's events: its conversation, and each member (every device of theirs). */
export const audienceOf = (m: MessageRecord, memberIds: string[]) => [
  topics.conversation(m.conversationId),
  ...memberIds.map((u) => topics.user(m.appId, u)),
];

/** What a message says, whatever its target. */
export interface MessageContent {
  type: MessageType;
  text?: string | null;
  url?: string | null;
  fileName?: string | null;
  size?: number | null;
  payload?: string | null;
  clientMessageId?: string | null;
  /** Online-only: delivered to connected members, never stored (notifications). */
  persist?: boolean | null;
}

/** Where a message goes: exactly one of a conversation, a user (direct) or a group (by its integer id). */
export interface SendTarget {
  conversationId?: string | null;
  to?: UserRef | null;
  groupId?: number | null;
  /** A chat room by its integer id: online-only, to its connected members. */
  roomId?: number | null;
}

export interface SendInput extends MessageContent, SendTarget {
  /** App principals only: send as this user; omitted = a system message with no sender. */
  from?: UserRef | null;
}

const MAX_TEXT = 5_000;
const MAX_PAYLOAD = 16_384;

export function validateContent(input: MessageContent) {
  if (!MESSAGE_TYPES.includes(input.type)) throw invalidInput('unknown message type', 'type');
  const text = input.text ?? undefined;
  if (text !== undefined && text.length > MAX_TEXT) throw invalidInput(`text must be at most ${MAX_TEXT} characters`, 'text');
  if (input.type === 'text' && !text) throw invalidInput('a text message needs text', 'text');
  if (['image', 'file', 'audio', 'video'].includes(input.type) && !input.url)
    throw invalidInput(`a ${input.type} message needs a url`, 'url');
  // A location is its address as text and its coordinates in the payload; a command is its action.
  if (input.type === 'location' && (!text || input.payload == null))
    throw invalidInput('a location needs an address and a payload', 'text');
  if (input.type === 'command' && !text) throw invalidInput('a command message needs its action as text', 'text');
  if (input.url) checkUrl(input.url, 'url');
  if (input.size != null && (!Number.isInteger(input.size) || input.size < 0))
    throw invalidInput('size must be a non-negative integer', 'size');
  if (input.payload != null) {
    if (input.payload.length > MAX_PAYLOAD) throw invalidInput(`payload must be at most ${MAX_PAYLOAD} characters`, 'payload');
    try {
      JSON.parse(input.payload);
    } catch {
      throw invalidInput('payload must be JSON text', 'payload');
    }
  }
  if (input.type === 'custom' && input.payload == null) throw invalidInput('a custom message needs a payload', 'payload');
  if (input.clientMessageId != null && !/^[\x21-\x7e]{1,128}$/.test(input.clientMessageId)) {
    throw invalidInput('clientMessageId must be 1 to 128 printable ASCII characters', 'clientMessageId');
  }
}

/** A failure that concerns one target of a multi-target send (unknown, blocked, not a member), not the message. */
export const isTargetFailure = (e: unknown): e is DomainError =>
  isDomainError(e) && (e.code === 'NOT_FOUND' || e.code === 'FORBIDDEN' || (e.code === 'INVALID_INPUT' && e.details.field === 'peer'));

type Deps = { store: MessageStore; conversations: ConversationService; contacts: ContactService; users: UserService; groups: GroupService };

/** Who sends, and into which conversation, after every authorization rule of every surface. */
export async function resolveTarget(deps: Deps, ctx: RequestContext, input: SendInput) {
  const { conversations, users } = deps;
  const p = ctx.principal;
  if (isAccount(p) && input.from) throw forbidden('a user token sends only as its own user');
  // A customer talks only in its customer-service conversations (watchable() checks the kind).
  if (p.kind === 'customer' && input.conversationId == null)
    throw forbidden('a customer sends only into its customer-service conversation');
  const sender = isAccount(p) ? await users.self(ctx) : input.from ? await users.actingUser(ctx, input.from) : null;
  if (sender?.forbidden) throw new DomainError('FORBIDDEN', 'this user is forbidden to send messages', { reason: 'sender_forbidden' });
  if ([input.conversationId, input.to, input.groupId, input.roomId].filter((t) => t != null).length !== 1) {
    throw invalidInput('give exactly one of conversationId or to', 'conversationId');
  }
  const conversation = await conversationOf(deps, ctx, input, sender);
  const members = await conversations.roster(conversation.id);
  if (!sender) {
    if (input.type !== 'system' && input.type !== 'notification')
      throw invalidInput('messages without a sender must be system or notification', 'type');
    return { sender, conversation, memberIds: members.map((m) => m.userId) };
  }
  if (conversation.kind === 'system' && isAccount(p)) throw forbidden('system conversations carry notices from the app only');
  const me = members.find((m) => m.userId === sender.id);
  // The app may speak in a room as any of its users (a server API's room messages); users must have entered it.
  if (conversation.kind === 'room' && p.kind === 'app') return { sender, conversation, memberIds: members.map((m) => m.userId) };
  if (!me) throw notFound('conversation', { field: 'conversationId' });
  if (isMutedNow(me) || (conversation.mutedAll && me.role === 'member'))
    throw new DomainError('FORBIDDEN', 'you are muted in this conversation', { reason: 'muted' });
  if (conversation.kind === 'direct') {
    const peer = members.find((m) => m.userId !== sender.id);
    if (peer && (await deps.contacts.isBlocked(peer.userId, sender.id)))
      throw new DomainError('FORBIDDEN', 'the recipient has blocked you', { reason: 'blocked' });
  }
  return { sender, conversation, memberIds: members.map((m) => m.userId) };
}

async function conversationOf(deps: Deps, ctx: RequestContext, input: SendTarget, sender: UserRecord | null): Promise<ConversationRecord> {
  if (input.to) {
    if (!sender) throw invalidInput('a direct message needs a sender (from)', 'from');
    return (await deps.conversations.openDirect(ctx, isAccount(ctx.principal) ? null : { id: sender.id }, input.to)).conversation;
  }
  if (input.roomId != null) return (await deps.conversations.openRoom(sender?.appId ?? scopeOf(ctx), input.roomId)).conversation;
  const conversationId = input.groupId != null ? (await deps.groups.get(ctx, input.groupId)).conversationId : input.conversationId!;
  // From event-kept caches: a warm send reads nothing here (see conversations.watchable).
  return deps.conversations.watchable(ctx, conversationId);
}

const scopeOf = (ctx: RequestContext) => {
  const p = ctx.principal;
  if (p.kind !== 'app' && p.kind !== 'user') throw forbidden('a chat room needs an app or user token');
  return p.appId;
};

type Filled<E> = { type: MessageType } & {
  [K in Exclude<keyof MessageContent, 'persist' | 'type'>]-?: Exclude<MessageContent[K], null | undefined> | E;
};

/** A send's content fields, with `none` for what it left out (null in records, absent in documents). */
function contentFields<E extends null | undefined>(input: MessageContent, none: E): Filled<E> {
  return {
    type: input.type,
    text: input.text ?? none,
    url: input.url ?? none,
    fileName: input.fileName ?? none,
    size: input.size ?? none,
    payload: input.payload ?? none,
    clientMessageId: input.clientMessageId ?? none,
  };
}

/** A message that is never stored (online-only notification). */
export function transientMessage(conversation: ConversationRecord, sender: UserRecord | null, input: MessageContent): MessageRecord {
  return {
    id: new Types.ObjectId().toHexString(),
    appId: conversation.appId,
    conversationId: conversation.id,
    seq: null,
    uid: nextUid(),
    senderId: sender?.id ?? null,
    ...contentFields(input, null),
    recalledAt: null,
    createdAt: new Date(),
    transient: true,
  };
}

/** The document a send stores under `id` (its seq is given at insert). */
export function storedDocOf(id: Types.ObjectId, conversation: ConversationRecord, sender: UserRecord | null, input: MessageContent) {
  return {
    _id: id,
    appId: new Types.ObjectId(conversation.appId),
    conversationId: new Types.ObjectId(conversation.id),
    uid: nextUid(),
    senderId: sender ? new Types.ObjectId(sender.id) : undefined,
    ...contentFields(input, undefined),
  };
}

/** After a message is stored and announced: the sender's read cursor, retried; a failure is only logged. */
export async function recordBookkeeping(conversations: ConversationService, ctx: RequestContext, message: MessageRecord) {
  if (!message.senderId) return;
  try {
    await retryTransient(() => conversations.advanceCursors(message.conversationId, message.senderId!, message.seq!));
  } catch (e) {
    ctx.log.warn({ err: e, messageId: message.id }, 'message stored and announced; the sender read cursor was not moved');
  }
}

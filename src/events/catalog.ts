/**
 * Every event the domain publishes, with plain JSON-safe payloads: ids are strings, times are epoch
 * milliseconds, nothing relies on object identity. They cross instances as JSON (the Redis bus) and
 * feed the outbox, so the in-process bus round-trips them through JSON too: whatever works here
 * works across the network.
 */

/** A stored (or online-only) message as it travels in events. */
export interface MessagePayload {
  id: string;
  appId: string;
  conversationId: string;
  /** null for online-only notifications, which are never stored. */
  seq: number | null;
  uid: number;
  senderId: string | null;
  type: 'text' | 'image' | 'file' | 'audio' | 'video' | 'location' | 'command' | 'custom' | 'notification' | 'system';
  text: string | null;
  url: string | null;
  fileName: string | null;
  size: number | null;
  payload: string | null;
  clientMessageId: string | null;
  recalledAt: number | null;
  createdAt: number;
  transient: boolean;
}

/** A delivery of the outbox as events carry it (src/outbox/records.ts DeliveryRecord, times in epoch ms). */
export interface DeliveryPayload {
  id: string;
  appId: string;
  channel: string;
  destination: string;
  state: 'queued' | 'sending' | 'delivered' | 'failed' | 'dead';
  attempts: number;
  nextAttemptAt: number | null;
  lastError: { status: number | null; message: string; body: string | null } | null;
  at: number;
}

export type UserChange = 'created' | 'deactivated' | 'reactivated' | 'deleted';

export type ConversationChange = 'renamed' | 'dissolved' | 'upgraded' | 'member_settings';

export interface EventCatalog {
  /** A message was stored (or, online-only, sent); published in seq order per conversation. */
  'message.added': { message: MessagePayload };
  'message.recalled': { message: MessagePayload };
  /** Members joined or left; every member before and after hears it. Also drops cached rosters. */
  'membership.changed': { appId: string; conversationId: string; change: 'added' | 'removed'; userIds: string[] };
  /** A conversation's group was renamed, dissolved, upgraded, or a member's settings changed. Drops cached rosters. */
  'conversation.updated': { appId: string; conversationId: string; change: ConversationChange };
  /** Tokens stopped authenticating: caches forget them, their sockets close. */
  'token.revoked': { tokenIds: string[] };
  /** A user's first socket opened or last one closed. */
  'presence.changed': { appId: string; userId: string; online: boolean; at: number };
  /** An app's settings changed: caches of it are dropped. */
  'app.changed': { appId: string };
  /** Users were registered, deactivated, reactivated or deleted. */
  'user.changed': { appId: string; change: UserChange; users: { id: string; username: string }[] };
  /** An outbox delivery entered a state. */
  'delivery.changed': { delivery: DeliveryPayload };
  /** An app's webhook subscriptions, gateways or robots changed: cached copies are dropped. */
  'endpoints.changed': { appId: string };
  /** User records were written (profile, settings, activation, deletion): cached copies are dropped. */
  'user.updated': { userIds: string[] };
  /** Users' blocklists changed: cached copies are dropped, so the next send is checked against the new list. */
  'blocks.changed': { ownerIds: string[] };
  /** A user must lose their live connections (deactivation, deletion, a forced disconnect). */
  'user.disconnect': { appId: string; userId: string; reason: string };
}

export type EventType = keyof EventCatalog;

/** Each event type and the fields its payload must have (checked on events that arrive from other instances). */
const REQUIRED_FIELDS: { [T in EventType]: readonly (keyof EventCatalog[T])[] } = {
  'message.added': ['message'],
  'message.recalled': ['message'],
  'membership.changed': ['appId', 'conversationId', 'change', 'userIds'],
  'conversation.updated': ['appId', 'conversationId', 'change'],
  'token.revoked': ['tokenIds'],
  'presence.changed': ['appId', 'userId', 'online', 'at'],
  'app.changed': ['appId'],
  'user.changed': ['appId', 'change', 'users'],
  'delivery.changed': ['delivery'],
  'endpoints.changed': ['appId'],
  'user.updated': ['userIds'],
  'blocks.changed': ['ownerIds'],
  'user.disconnect': ['appId', 'userId', 'reason'],
};

/** Whether a decoded value is an envelope of this catalog: topics as strings, a known event type, its fields present. */
export function isEventEnvelope(v: unknown): boolean {
  if (!v || typeof v !== 'object') return false;
  const { targets, event } = v as { targets?: unknown; event?: Record<string, unknown> };
  if (!Array.isArray(targets) || targets.length > 100_000 || !targets.every((t) => typeof t === 'string')) return false;
  if (!event || typeof event !== 'object' || typeof event.eventId !== 'string' || typeof event.type !== 'string') return false;
  if (!Object.hasOwn(REQUIRED_FIELDS, event.type)) return false;
  const fields = (REQUIRED_FIELDS as Record<string, readonly string[]>)[event.type]!;
  return fields.every((f) => event[f] !== undefined && event[f] !== null);
}

/** An event on the bus: its type, a unique `eventId` (subscribers share work per event by it) and its payload. */
export type DomainEvent = { [T in EventType]: { type: T; eventId: string } & EventCatalog[T] }[EventType];
export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;

/** Routing keys of the bus (channels, with Redis). */
export const topics = {
  conversation: (conversationId: string) => `conv:${conversationId}`,
  user: (appId: string, userId: string) => `user:${appId}:${userId}`,
  token: (tokenId: string) => `token:${tokenId}`,
  presence: (appId: string) => `presence:${appId}`,
  deliveries: (appId: string) => `deliveries:${appId}`,
  /** Every event of a type, whatever its audience (caches, connection registries). */
  all: (type: EventType) => `all:${type}`,
};

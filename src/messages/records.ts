import type { MessagePayload } from '../events/catalog';
import type { MessageDoc } from './model';
import { MESSAGE_TYPES, type MessageType } from './model';

export { MESSAGE_TYPES, type MessageType };

/** The domain view of a message: what events carry (events/catalog.ts), with times as Dates. */
export interface MessageRecord extends Omit<MessagePayload, 'recalledAt' | 'createdAt'> {
  recalledAt: Date | null;
  createdAt: Date;
}

export const toMessageRecord = (d: MessageDoc): MessageRecord => ({
  id: d._id.toHexString(),
  appId: d.appId.toHexString(),
  conversationId: d.conversationId.toHexString(),
  seq: d.seq,
  uid: d.uid,
  senderId: d.senderId?.toHexString() ?? null,
  type: d.type,
  text: d.text ?? null,
  url: d.url ?? null,
  fileName: d.fileName ?? null,
  size: d.size ?? null,
  payload: d.payload ?? null,
  clientMessageId: d.clientMessageId ?? null,
  recalledAt: d.recalledAt ?? null,
  createdAt: d.createdAt,
  transient: false,
});

/** A message as events carry it (JSON-safe: times in epoch milliseconds), and back. */
export const toMessagePayload = (m: MessageRecord): MessagePayload => ({
  ...m,
  recalledAt: m.recalledAt ? m.recalledAt.getTime() : null,
  createdAt: m.createdAt.getTime(),
});
export const fromMessagePayload = (p: MessagePayload): MessageRecord => ({
  ...p,
  recalledAt: p.recalledAt === null ? null : new Date(p.recalledAt),
  createdAt: new Date(p.createdAt),
});

/** History cursors are the message seq: stable, index-backed, independent of page position. */
export const encodeMessageCursor = (seq: number) => Buffer.from(`m:${seq}`).toString('base64url');
export function decodeMessageCursor(cursor: string): number | undefined {
  const m = /^m:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  return m ? Number(m[1]) : undefined;
}

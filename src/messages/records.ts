import type { MessageDoc, MessageType } from './model';

export interface MessageRecord {
  id: string;
  appId: string;
  conversationId: string;
  /** null for online-only notifications, which are never stored. */
  seq: number | null;
  uid: number;
  senderId: string | null;
  type: MessageType;
  text: string | null;
  url: string | null;
  fileName: string | null;
  size: number | null;
  payload: string | null;
  clientMessageId: string | null;
  recalledAt: Date | null;
  createdAt: Date;
  transient: boolean;
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

export type MessageEvent = { type: 'message'; message: MessageRecord } | { type: 'recalled'; message: MessageRecord };

/** History cursors are the message seq: stable, index-backed, independent of page position. */
export const encodeMessageCursor = (seq: number) => Buffer.from(`m:${seq}`).toString('base64url');
export function decodeMessageCursor(cursor: string): number | undefined {
  const m = /^m:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  return m ? Number(m[1]) : undefined;
}

import type { MessagePayload } from '../events/catalog';
import { Schema, Types, type Connection, type Model } from 'mongoose';

export const MESSAGE_TYPES = [
  'text',
  'image',
  'file',
  'audio',
  'video',
  'location',
  'command',
  'custom',
  'notification',
  'system',
] as const satisfies readonly MessagePayload['type'][];
export type MessageType = MessagePayload['type'];

export interface MessageDoc {
  _id: Types.ObjectId;
  appId: Types.ObjectId;
  conversationId: Types.ObjectId;
  seq: number;
  /** Numeric id below 2^53 (the robot API's `messageUid`). */
  uid: number;
  senderId?: Types.ObjectId;
  type: MessageType;
  text?: string;
  url?: string;
  fileName?: string;
  size?: number;
  /** Custom payload or a vendor's original body, kept as JSON text for exact round trips. */
  payload?: string;
  clientMessageId?: string;
  recalledAt?: Date;
  createdAt: Date;
}

const messageSchema = new Schema<MessageDoc>(
  {
    appId: { type: Schema.Types.ObjectId, required: true },
    conversationId: { type: Schema.Types.ObjectId, required: true },
    seq: { type: Number, required: true },
    uid: { type: Number, required: true },
    senderId: Schema.Types.ObjectId,
    type: { type: String, enum: MESSAGE_TYPES, required: true },
    text: String,
    url: String,
    fileName: String,
    size: Number,
    payload: String,
    clientMessageId: String,
    recalledAt: Date,
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
// History pages walk this index in either direction: a deep page costs what the first one does.
messageSchema.index({ conversationId: 1, seq: 1 }, { unique: true });
messageSchema.index({ appId: 1, uid: 1 }, { unique: true });

/** Idempotent sends: one row per (sender, clientMessageId); its _id is the key itself. */
export interface SendKeyDoc {
  _id: string;
  messageId: Types.ObjectId;
  createdAt: Date;
}
const sendKeySchema = new Schema<SendKeyDoc>(
  { _id: String, messageId: { type: Schema.Types.ObjectId, required: true } },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);

export type MessageModel = Model<MessageDoc>;
export type SendKeyModel = Model<SendKeyDoc>;

/**
 * With `majority` (the database is a replica set or a sharded cluster: db/topology.ts), a message
 * is acknowledged only once a majority of the replica set has it, so an acknowledged message
 * survives a primary failover.
 */
export function registerMessageModels(connection: Connection, opts: { majority?: boolean } = {}) {
  const schema = opts.majority ? messageSchema.clone().set('writeConcern', { w: 'majority' }) : messageSchema;
  return {
    messages: connection.model<MessageDoc>('Message', schema, 'messages'),
    sendKeys: connection.model<SendKeyDoc>('SendKey', sendKeySchema, 'message_send_keys'),
  };
}

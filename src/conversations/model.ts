import { Schema, Types, type Connection, type Model } from 'mongoose';

export const CONVERSATION_KINDS = ['direct', 'group', 'system', 'customer_service', 'room'] as const;
export const MEMBER_ROLES = ['owner', 'admin', 'member'] as const;
export type ConversationKind = (typeof CONVERSATION_KINDS)[number];
export type MemberRole = (typeof MEMBER_ROLES)[number];

export interface ConversationDoc {
  _id: Types.ObjectId;
  appId: Types.ObjectId;
  kind: ConversationKind;
  /** Natural key, unique per app: makes "create the direct conversation of A and B" idempotent. */
  key: string;
  groupId?: number;
  /** Highest allocated message seq; the next message gets lastSeq + 1 (atomic $inc). */
  lastSeq: number;
  lastMessageId?: Types.ObjectId;
  lastMessageAt?: Date;
  /** Members, kept by $inc as they join and leave: a paging hint, not an exact count. */
  memberCount?: number;
  /** Only the owner and admins may speak (a group's "mute all"). */
  mutedAll?: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface MemberDoc {
  _id: Types.ObjectId;
  appId: Types.ObjectId;
  conversationId: Types.ObjectId;
  userId: Types.ObjectId;
  role: MemberRole;
  nickname?: string;
  muted: boolean;
  /** When a timed mute ends; absent with `muted` = until lifted. */
  mutedUntil?: Date | null;
  doNotDisturb: boolean;
  deliveredSeq: number;
  readSeq: number;
  joinedAt: Date;
}

const conversationSchema = new Schema<ConversationDoc>(
  {
    appId: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, enum: CONVERSATION_KINDS, required: true },
    key: { type: String, required: true },
    groupId: Number,
    lastSeq: { type: Number, required: true, default: 0 },
    lastMessageId: Schema.Types.ObjectId,
    lastMessageAt: Date,
    memberCount: Number,
    mutedAll: Boolean,
  },
  { timestamps: true, versionKey: false },
);
conversationSchema.index({ appId: 1, key: 1 }, { unique: true });

const memberSchema = new Schema<MemberDoc>(
  {
    appId: { type: Schema.Types.ObjectId, required: true },
    conversationId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    role: { type: String, enum: MEMBER_ROLES, required: true, default: 'member' },
    nickname: String,
    muted: { type: Boolean, required: true, default: false },
    mutedUntil: Date,
    doNotDisturb: { type: Boolean, required: true, default: false },
    deliveredSeq: { type: Number, required: true, default: 0 },
    readSeq: { type: Number, required: true, default: 0 },
    joinedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
memberSchema.index({ conversationId: 1, userId: 1 }, { unique: true });
// A user's memberships (the conversation list orders them by the conversations' activity).
memberSchema.index({ userId: 1 });

export type ConversationModel = Model<ConversationDoc>;
export type MemberModel = Model<MemberDoc>;

export function registerConversationModels(connection: Connection) {
  return {
    conversations: connection.model<ConversationDoc>('Conversation', conversationSchema, 'conversations'),
    members: connection.model<MemberDoc>('Member', memberSchema, 'members'),
  };
}

import { Schema, Types, type Connection, type Model } from 'mongoose';

export interface GroupDoc {
  _id: Types.ObjectId;
  appId: Types.ObjectId;
  /** Integer id per app (the dialects' group ids). */
  groupId: number;
  name: string;
  ownerId: Types.ObjectId;
  super: boolean;
  conversationId: Types.ObjectId;
  dissolvedAt?: Date;
  description?: string;
  avatar?: string;
  custom?: string;
  announcement?: string;
  public?: boolean;
  maxUsers?: number;
  membersOnly?: boolean;
  allowInvites?: boolean;
  blockedIds?: Types.ObjectId[];
  createdAt: Date;
  updatedAt: Date;
}

const groupSchema = new Schema<GroupDoc>(
  {
    appId: { type: Schema.Types.ObjectId, required: true },
    groupId: { type: Number, required: true },
    name: { type: String, required: true },
    ownerId: { type: Schema.Types.ObjectId, required: true },
    super: { type: Boolean, required: true, default: false },
    conversationId: { type: Schema.Types.ObjectId, required: true },
    dissolvedAt: Date,
    description: String,
    avatar: String,
    custom: String,
    announcement: String,
    public: Boolean,
    maxUsers: Number,
    membersOnly: Boolean,
    allowInvites: Boolean,
    blockedIds: { type: [Schema.Types.ObjectId], default: undefined },
  },
  { timestamps: true, versionKey: false },
);
groupSchema.index({ appId: 1, groupId: 1 }, { unique: true });
// The conversation list resolves each group conversation's group through a batch on this.
groupSchema.index({ conversationId: 1 });

export type GroupModel = Model<GroupDoc>;
export const registerGroupModel = (connection: Connection): GroupModel => connection.model<GroupDoc>('Group', groupSchema, 'groups');

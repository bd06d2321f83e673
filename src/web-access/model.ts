import { Schema, Types, type Connection, type Model } from 'mongoose';

/** A web access link (`/token/new`): a user may open a chat with a bot `maxRetries` times until `dateLimit`. */
export interface WebAccessDoc {
  _id: Types.ObjectId;
  appId: Types.ObjectId;
  userId: Types.ObjectId;
  botUserId: Types.ObjectId;
  /** SHA-256 of the link secret (how an opened link is found) and the secret sealed (so a repeat request gets the same link). */
  secretHash: string;
  sealedSecret: string;
  maxRetries: number;
  /** Last valid day, `YYYY-MM-DD` (UTC). */
  dateLimit: string;
  createdAt: Date;
}

/** An external user (`/third_parties/user/new`): its API key, sealed so a repeat registration returns it. */
export interface ExternalUserDoc {
  _id: Types.ObjectId;
  appId: Types.ObjectId;
  userId: Types.ObjectId;
  apikeyHash: string;
  sealedApikey: string;
  device: Record<string, string>;
  createdAt: Date;
}

const accessSchema = new Schema<WebAccessDoc>(
  {
    appId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    botUserId: { type: Schema.Types.ObjectId, required: true },
    secretHash: { type: String, required: true },
    sealedSecret: { type: String, required: true },
    maxRetries: { type: Number, required: true },
    dateLimit: { type: String, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
accessSchema.index({ secretHash: 1 }, { unique: true });
accessSchema.index({ appId: 1, userId: 1, botUserId: 1 });

const externalSchema = new Schema<ExternalUserDoc>(
  {
    appId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    apikeyHash: { type: String, required: true },
    sealedApikey: { type: String, required: true },
    device: { type: Map, of: String },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
externalSchema.index({ userId: 1 }, { unique: true });
externalSchema.index({ apikeyHash: 1 }, { unique: true });

/** One opening of a link: `<accessId>:<n>` inserted against the unique _id, so two openings never spend the same retry. */
const useSchema = new Schema<{ _id: string }>({ _id: String }, { versionKey: false, timestamps: { createdAt: true, updatedAt: false } });

/** A group chat made through `/chat/create`, by its member set: the same members get the same chat. */
const chatSchema = new Schema<{ _id: string; groupId: number; conversationId: string }>(
  { _id: String, groupId: { type: Number, required: true }, conversationId: { type: String, required: true } },
  { versionKey: false },
);

export function registerWebAccessModels(connection: Connection) {
  return {
    chats: connection.model('ExternalChat', chatSchema, 'external_chats'),
    links: connection.model<WebAccessDoc>('WebAccess', accessSchema, 'web_access') as Model<WebAccessDoc>,
    uses: connection.model<{ _id: string }>('WebAccessUse', useSchema, 'web_access_uses'),
    externals: connection.model<ExternalUserDoc>('ExternalUser', externalSchema, 'external_users') as Model<ExternalUserDoc>,
  };
}
export type WebAccessModels = ReturnType<typeof registerWebAccessModels>;

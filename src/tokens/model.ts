import { Schema, Types, type Connection, type Model } from 'mongoose';

export const TOKEN_KINDS = ['app', 'user', 'customer'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

/** One store for every kind of bearer token. Only the SHA-256 of the secret is kept. */
export interface TokenDoc {
  _id: Types.ObjectId;
  appId: Types.ObjectId;
  kind: TokenKind;
  userId?: Types.ObjectId;
  secretHash: string;
  /** The OAuth client it was issued to (client tokens of service providers), its scope, and the surface that issued it. */
  clientId?: string;
  scope?: string;
  via?: string;
  /** null: valid until revoked. */
  expiresAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

const tokenSchema = new Schema<TokenDoc>(
  {
    appId: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, enum: TOKEN_KINDS, required: true },
    userId: { type: Schema.Types.ObjectId },
    clientId: String,
    scope: String,
    via: String,
    secretHash: { type: String, required: true },
    expiresAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);

tokenSchema.index({ secretHash: 1 }, { unique: true });
tokenSchema.index({ appId: 1, userId: 1 });

export type TokenModel = Model<TokenDoc>;

export function registerTokenModel(connection: Connection): TokenModel {
  return connection.model<TokenDoc>('Token', tokenSchema, 'tokens');
}

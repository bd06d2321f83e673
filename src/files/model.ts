import { Schema, type Connection, type Model, type Types } from 'mongoose';

/** A stored chat file: its bytes (and an image's thumbnail) live in GridFS, this is what names them. */
export interface ChatFileDoc {
  /** The uuid clients address it by. */
  _id: string;
  appId: Types.ObjectId;
  /** Whoever uploaded it: the app (null) or one of its users. */
  uploaderId: Types.ObjectId | null;
  /** The share secret a downloader without a token of the app must present. */
  secret: string;
  restricted: boolean;
  filename: string;
  contentType: string;
  size: number;
  blobId: Types.ObjectId;
  thumbnailId: Types.ObjectId | null;
  /** Bytes stored for it, thumbnail included (what counts against the app's quota). */
  storedBytes: number;
  createdAt: Date;
}

const chatFileSchema = new Schema<ChatFileDoc>(
  {
    _id: { type: String, required: true },
    appId: { type: Schema.Types.ObjectId, required: true },
    uploaderId: { type: Schema.Types.ObjectId, default: null },
    secret: { type: String, required: true },
    restricted: { type: Boolean, required: true },
    filename: { type: String, required: true },
    contentType: { type: String, required: true },
    size: { type: Number, required: true },
    blobId: { type: Schema.Types.ObjectId, required: true },
    thumbnailId: { type: Schema.Types.ObjectId, default: null },
    storedBytes: { type: Number, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
chatFileSchema.index({ appId: 1 });

export type ChatFileModel = Model<ChatFileDoc>;

export const registerChatFileModel = (connection: Connection): ChatFileModel =>
  connection.model<ChatFileDoc>('ChatFile', chatFileSchema, 'chat_files');

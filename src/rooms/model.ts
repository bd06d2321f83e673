import { Schema, Types, type Connection, type Model } from 'mongoose';

/** A chat room's profile; its members and messages are those of its conversation (kind `room`). */
export interface RoomDoc {
  _id: Types.ObjectId;
  appId: Types.ObjectId;
  /** Integer id per app: the room id every dialect uses. */
  roomId: number;
  name: string;
  description: string;
  ownerId: Types.ObjectId;
  maxUsers: number;
  custom?: string;
  announcement?: string;
  conversationId: Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
}

const roomSchema = new Schema<RoomDoc>(
  {
    appId: { type: Schema.Types.ObjectId, required: true },
    roomId: { type: Number, required: true },
    name: { type: String, required: true },
    description: { type: String, default: '' },
    ownerId: { type: Schema.Types.ObjectId, required: true },
    maxUsers: { type: Number, required: true },
    custom: String,
    announcement: String,
    conversationId: { type: Schema.Types.ObjectId, required: true },
  },
  { timestamps: true, versionKey: false },
);
roomSchema.index({ appId: 1, roomId: 1 }, { unique: true });
roomSchema.index({ conversationId: 1 });

export type RoomModel = Model<RoomDoc>;
export const registerRoomModel = (connection: Connection): RoomModel => connection.model<RoomDoc>('Room', roomSchema, 'rooms');

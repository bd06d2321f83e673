import type { RoomDoc } from './model';

/** A chat room's profile as every surface sees it. */
export interface RoomRecord {
  id: string;
  appId: string;
  roomId: number;
  name: string;
  description: string;
  ownerId: string;
  maxUsers: number;
  custom: string;
  announcement: string;
  conversationId: string;
  createdAt: Date;
  updatedAt: Date;
}

export const toRoomRecord = (d: RoomDoc): RoomRecord => ({
  id: d._id.toHexString(),
  appId: d.appId.toHexString(),
  roomId: d.roomId,
  name: d.name,
  description: d.description ?? '',
  ownerId: d.ownerId.toHexString(),
  maxUsers: d.maxUsers,
  custom: d.custom ?? '',
  announcement: d.announcement ?? '',
  conversationId: d.conversationId.toHexString(),
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
});

import { Types } from 'mongoose';
import { nextValue, type CounterModel } from '../counters/counters';
import type { MemberRecord } from '../conversations/records';
import { reachesAboveAdmin } from '../conversations/roster';
import type { ConversationService } from '../conversations/service';
import type { RequestContext } from '../domain/context';
import { forbidden, invalidInput, notFound } from '../domain/errors';
import { checkText } from '../domain/validators';
import { isObjectIdHex, ONE_BATCH } from '../db/ids';
import type { UserRecord } from '../users/records';
import type { UserRef, UserService } from '../users/service';
import type { RoomDoc, RoomModel } from './model';
import { toRoomRecord, type RoomRecord } from './records';

/** Members a room takes (owner included) when its creator sets none, and the most it may take. */
export const DEFAULT_ROOM_MAX_USERS = 1_000;
export const MAX_ROOM_MEMBERS = 10_000;

export interface RoomProfilePatch {
  name?: string;
  description?: string;
  maxUsers?: number;
  custom?: string;
  announcement?: string;
}

const encodeCursor = (id: string) => Buffer.from(`r:${id}`).toString('base64url');
const decodeCursor = (c: string) => /^r:([0-9a-f]{24})$/.exec(Buffer.from(c, 'base64url').toString())?.[1];

function checkPatch(p: RoomProfilePatch): RoomProfilePatch {
  const out: RoomProfilePatch = {};
  if (p.name !== undefined) {
    out.name = checkText(p.name, 128, 'name');
    if (!out.name.trim()) throw invalidInput('name must not be empty', 'name');
  }
  if (p.description !== undefined) out.description = checkText(p.description, 512, 'description');
  if (p.custom !== undefined) out.custom = checkText(p.custom, 8192, 'custom');
  if (p.announcement !== undefined) out.announcement = checkText(p.announcement, 512, 'announcement');
  if (p.maxUsers !== undefined) {
    if (!Number.isInteger(p.maxUsers) || p.maxUsers < 1 || p.maxUsers > MAX_ROOM_MEMBERS)
      throw invalidInput(`maxUsers must be between 1 and ${MAX_ROOM_MEMBERS}`, 'maxUsers');
    out.maxUsers = p.maxUsers;
  }
  return out;
}

export type RoomService = ReturnType<typeof createRoomService>;

/**
 * Chat rooms with a profile (the dialects' chat rooms): the room is the conversation `r:{roomId}`
 * that bare room numbers and GraphQL `enterRoom` use, so every surface sees the same members and messages.
 * Made by the app; read by any user of the app; run by the app, the room's owner and its admins.
 */
export function createRoomService(deps: {
  rooms: RoomModel;
  counters: CounterModel;
  conversations: ConversationService;
  users: UserService;
}) {
  const { rooms, conversations, users } = deps;
  /** The caller's app: an app token, or (where `users` may) any user token of the app. */
  const appOf = (ctx: RequestContext, users = false) => {
    const p = ctx.principal;
    if (p.kind === 'app' || (users && p.kind === 'user')) return p.appId;
    throw forbidden('an app token is required');
  };
  /**
   * A room of the caller's app. Rooms are public: any user of the app reads one; `manage` needs the
   * app, the room's owner or an admin; `own` the app or the owner.
   */
  async function load(ctx: RequestContext, roomId: number, need: 'read' | 'manage' | 'own' = 'read'): Promise<RoomRecord> {
    const doc = Number.isSafeInteger(roomId) ? await rooms.findOne({ appId: appOf(ctx, true), roomId }).lean<RoomDoc>() : null;
    if (!doc) throw notFound('room', { field: 'roomId' });
    const room = toRoomRecord(doc);
    const p = ctx.principal;
    if (p.kind === 'user' && need !== 'read') {
      const role = (await conversations.roster(room.conversationId)).find((m) => m.userId === p.userId)?.role;
      if (need === 'own' && role !== 'owner') throw forbidden('only the owner of the room can do this');
      if (need === 'manage' && role !== 'owner' && role !== 'admin') throw forbidden('only the owner or an admin of the room can do this');
    }
    return room;
  }
  const conversationOf = async (ctx: RequestContext, room: RoomRecord) =>
    (await conversations.access(ctx, room.conversationId)).conversation;
  const save = async (room: RoomRecord, set: Record<string, unknown>) =>
    toRoomRecord((await rooms.findOneAndUpdate({ _id: room.id }, { $set: set }, { returnDocument: 'after' }).lean<RoomDoc>())!);

  return {
    get: load,

    async create(ctx: RequestContext, input: RoomProfilePatch & { name: string; owner: UserRef; members?: UserRef[] }) {
      const appId = appOf(ctx);
      const profile = checkPatch(input);
      const owner = await users.findInApp(ctx, input.owner, 'owner');
      const initial = [...new Set((await users.findManyInApp(ctx, input.members ?? [], 'members')).map((u) => u.id))].filter(
        (id) => id !== owner.id,
      );
      const maxUsers = profile.maxUsers ?? DEFAULT_ROOM_MAX_USERS;
      if (initial.length + 1 > maxUsers) throw invalidInput(`at most ${maxUsers} members`, 'members', 'limit_exceeded');
      // Room ids a client opened on its own (a bare number) are taken: draw again (as for groups).
      let roomId = await nextValue(deps.counters, `room:${appId}`, 1);
      let opened = await conversations.openRoom(appId, roomId);
      for (let attempt = 0; opened.previouslyCreated && attempt < 20; attempt++) {
        roomId = await nextValue(deps.counters, `room:${appId}`, 1);
        opened = await conversations.openRoom(appId, roomId);
      }
      await conversations.addMembers(opened.conversation, [owner.id], 'owner');
      if (initial.length) await conversations.addMembers(opened.conversation, initial);
      const doc = await rooms.create({
        appId: new Types.ObjectId(appId),
        roomId,
        ...profile,
        maxUsers,
        ownerId: new Types.ObjectId(owner.id),
        conversationId: new Types.ObjectId(opened.conversation.id),
      });
      return toRoomRecord(doc.toObject() as RoomDoc);
    },

    /**
     * The app's rooms, newest first (as the vendor lists them); `cursor` continues after the last
     * one, `skip` serves numbered pages (the SDKs' `pagenum`).
     */
    async list(ctx: RequestContext, limit: number, cursor?: string, skip = 0): Promise<{ rooms: RoomRecord[]; cursor?: string }> {
      const appId = appOf(ctx, true);
      const before = cursor ? decodeCursor(cursor) : undefined;
      if (cursor && !before) throw invalidInput('cursor is not valid', 'cursor');
      const docs = await rooms
        .find({ appId, ...(before ? { _id: { $lt: before } } : {}) })
        .sort({ _id: -1 })
        .skip(skip)
        .limit(limit + 1)
        .lean<RoomDoc[]>();
      const page = docs.slice(0, limit).map(toRoomRecord);
      return { rooms: page, cursor: docs.length > limit ? encodeCursor(page.at(-1)!.id) : undefined };
    },

    /** The rooms (with a profile) a user is in, in joining order. */
    async joinedBy(ctx: RequestContext, ref: UserRef): Promise<RoomRecord[]> {
      const user = await users.findInApp(ctx, ref);
      const mine = (await conversations.membershipsOf(user.id)).sort((a, b) => a.joinedAt.getTime() - b.joinedAt.getTime());
      const found = await rooms
        .find({ conversationId: { $in: mine.map((m) => m.conversationId).filter(isObjectIdHex) } })
        .batchSize(ONE_BATCH)
        .lean<RoomDoc[]>();
      const byConversation = new Map(found.map((d) => [d.conversationId.toHexString(), toRoomRecord(d)]));
      return mine.flatMap((m) => byConversation.get(m.conversationId) ?? []);
    },

    async members(ctx: RequestContext, roomId: number): Promise<{ room: RoomRecord; members: MemberRecord[] }> {
      const room = await load(ctx, roomId);
      return { room, members: await conversations.membersOf(room.conversationId) };
    },

    async update(ctx: RequestContext, roomId: number, patch: RoomProfilePatch) {
      const room = await load(ctx, roomId, 'manage');
      const set = checkPatch(patch);
      if (Object.keys(set).length === 0) throw invalidInput('nothing to update', 'input');
      if (set.maxUsers !== undefined && set.maxUsers < (await conversations.countMembers(room.conversationId)))
        throw invalidInput('maxUsers is below the current number of members', 'maxUsers', 'limit_exceeded');
      const updated = await save(room, { ...set });
      await conversations.announce(room.appId, room.conversationId, set.name !== undefined ? 'renamed' : 'member_settings');
      return updated;
    },

    /** Deletes the room's profile and empties it; its messages expire with the room's window. */
    async remove(ctx: RequestContext, roomId: number) {
      const room = await load(ctx, roomId, 'own');
      const members = await conversations.membersOf(room.conversationId);
      await conversations.announce(room.appId, room.conversationId, 'dissolved');
      await conversations.removeMembers(
        await conversationOf(ctx, room),
        members.map((m) => m.userId),
      );
      await rooms.deleteOne({ _id: room.id });
      return room;
    },

    /** Adds users (existing members are kept); returns the users that were not members yet. */
    async addMembers(ctx: RequestContext, roomId: number, refs: UserRef[]): Promise<UserRecord[]> {
      const room = await load(ctx, roomId, 'manage');
      const targets = await users.findManyInApp(ctx, refs, 'usernames');
      const current = new Set((await conversations.roster(room.conversationId)).map((m) => m.userId));
      const fresh = [...new Map(targets.filter((u) => !current.has(u.id)).map((u) => [u.id, u])).values()];
      if (current.size + fresh.length > room.maxUsers)
        throw invalidInput(`at most ${room.maxUsers} members`, 'usernames', 'limit_exceeded');
      if (fresh.length)
        await conversations.addMembers(
          await conversationOf(ctx, room),
          fresh.map((u) => u.id),
        );
      return fresh;
    },

    /**
     * A user enters a room (GraphQL `enterRoom`): a room made with a profile takes at most its
     * `maxUsers`; a bare room number has no such limit.
     */
    async enter(ctx: RequestContext, roomId: number) {
      const p = ctx.principal;
      const doc =
        p.kind === 'user' && Number.isSafeInteger(roomId) ? await rooms.findOne({ appId: p.appId, roomId }).lean<RoomDoc>() : null;
      if (doc && p.kind === 'user') {
        const roster = await conversations.roster(doc.conversationId.toHexString());
        if (!roster.some((m) => m.userId === p.userId) && roster.length >= doc.maxUsers)
          throw invalidInput(`the room is full (${doc.maxUsers} members)`, 'roomId', 'limit_exceeded');
      }
      return conversations.setInRoom(ctx, roomId, true);
    },

    /** Removes these members (the owner stays). */
    async removeMembers(ctx: RequestContext, roomId: number, userIds: string[]) {
      const room = await load(ctx, roomId, 'manage');
      if (userIds.includes(room.ownerId)) throw forbidden('the owner cannot be removed from the room');
      const p = ctx.principal;
      if (
        p.kind === 'user' &&
        p.userId !== room.ownerId &&
        reachesAboveAdmin(await conversations.roster(room.conversationId), p.userId, userIds)
      )
        throw forbidden('an admin cannot remove another admin');
      if (userIds.length) await conversations.removeMembers(await conversationOf(ctx, room), userIds);
    },

    async setAdmin(ctx: RequestContext, roomId: number, ref: UserRef, on: boolean): Promise<UserRecord> {
      const room = await load(ctx, roomId, 'own');
      const user = await users.findInApp(ctx, ref, 'username');
      if (user.id === room.ownerId) throw invalidInput('the owner is not an admin', 'username');
      const member = (await conversations.roster(room.conversationId)).find((m) => m.userId === user.id);
      if (!member) throw invalidInput('only a member of the room can be an admin', 'username', 'not_member');
      await conversations.updateMember(await conversationOf(ctx, room), user.id, { role: on ? 'admin' : 'member' });
      return user;
    },
  };
}

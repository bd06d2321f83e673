import { Types } from 'mongoose';
import { inChunks } from '../db/batches';
import type { RequestContext } from '../domain/context';
import { invalidInput } from '../domain/errors';
import { isOnlyDuplicateKeys } from '../db/errors';
import { createEventCache } from '../events/cache';
import type { UserRecord } from '../users/records';
import type { UserRef, UserService } from '../users/service';
import type { EdgeDoc, EdgeModel } from './model';

export type ContactService = ReturnType<typeof createContactService>;

/** Contacts and blocks: directed owner → other edges with per-owner limits. */
export function createContactService(deps: {
  contacts: EdgeModel;
  blocks: EdgeModel;
  users: UserService;
  /** Per-owner limits (USER_MAX_CONTACTS, USER_MAX_BLOCKS). */
  limits: { contacts: number; blocks: number };
  /** Blocklists were written: publishes `blocks.changed`, so that every instance drops its copies. */
  blocksChanged?: (ownerIds: string[]) => void;
}) {
  const { users } = deps;
  // Each direct send asks whether the recipient blocked the sender: their blocklist is cached, kept by events.
  const blocklists = createEventCache<Set<string>>({ maxEntries: 50_000 });
  const written = (model: EdgeModel, ownerIds: string[]) => {
    if (model !== deps.blocks) return;
    blocklists.forget(ownerIds);
    deps.blocksChanged?.(ownerIds);
  };

  async function addEdges(
    model: EdgeModel,
    limit: number,
    what: string,
    ctx: RequestContext,
    ownerRef: UserRef | null | undefined,
    others: UserRef[],
  ) {
    const owner = await users.actingUser(ctx, ownerRef);
    if (others.length === 0) throw invalidInput(`name at least one user to ${what}`, 'users');
    const targets: UserRecord[] = await users.findManyInApp(ctx, others, 'users');
    if (targets.some((t) => t.id === owner.id)) throw invalidInput(`a user cannot ${what} themself`, 'users');
    const existing = await model.countDocuments({ ownerId: owner.id });
    const already = new Set(
      (await model.find({ ownerId: owner.id, otherId: { $in: targets.map((t) => t.id) } }).lean<EdgeDoc[]>()).map((e) =>
        e.otherId.toHexString(),
      ),
    );
    const fresh = [...new Map(targets.filter((t) => !already.has(t.id)).map((t) => [t.id, t])).values()];
    if (existing + fresh.length > limit) {
      throw invalidInput(`at most ${limit} users per owner (${what})`, 'users', 'limit_exceeded');
    }
    const now = new Date();
    const edges = fresh.map((t) => ({
      appId: new Types.ObjectId(owner.appId),
      ownerId: new Types.ObjectId(owner.id),
      otherId: new Types.ObjectId(t.id),
      createdAt: now,
    }));
    // Unordered: an edge added concurrently (duplicate key) leaves the same outcome and must not stop the rest.
    if (edges.length)
      await inChunks(edges, (chunk) =>
        model.insertMany(chunk, { ordered: false }).catch((e: unknown) => {
          if (!isOnlyDuplicateKeys(e)) throw e;
        }),
      ).finally(() => written(model, [owner.id]));
    return { owner, targets };
  }

  async function listEdges(model: EdgeModel, ctx: RequestContext, ownerRef: UserRef | null | undefined): Promise<UserRecord[]> {
    const owner = await users.actingUser(ctx, ownerRef);
    const edges = await model.find({ ownerId: owner.id }).sort({ _id: 1 }).lean<EdgeDoc[]>();
    const found = await ctx.loaders.userById.loadMany(edges.map((e) => e.otherId.toHexString()));
    return found.filter((u): u is UserRecord => !!u && !(u instanceof Error));
  }

  async function removeEdge(model: EdgeModel, ctx: RequestContext, ownerRef: UserRef | null | undefined, otherRef: UserRef) {
    const owner = await users.actingUser(ctx, ownerRef);
    const other = await users.findInApp(ctx, otherRef);
    await model.deleteOne({ ownerId: owner.id, otherId: other.id });
    written(model, [owner.id]);
    return { owner, user: other };
  }

  return {
    /** Adds one contact; returns the owner and the contact. */
    async addContact(ctx: RequestContext, ownerRef: UserRef | null | undefined, other: UserRef) {
      const { owner, targets } = await addEdges(deps.contacts, deps.limits.contacts, 'add as contact', ctx, ownerRef, [other]);
      return { owner, user: targets[0]! };
    },
    removeContact: (ctx: RequestContext, owner: UserRef | null | undefined, other: UserRef) => removeEdge(deps.contacts, ctx, owner, other),
    listContacts: (ctx: RequestContext, owner: UserRef | null | undefined) => listEdges(deps.contacts, ctx, owner),
    /** Blocks users: all are added or none; returns the blocked users. */
    block: async (ctx: RequestContext, owner: UserRef | null | undefined, others: UserRef[]) =>
      (await addEdges(deps.blocks, deps.limits.blocks, 'block', ctx, owner, others)).targets,
    unblock: (ctx: RequestContext, owner: UserRef | null | undefined, other: UserRef) => removeEdge(deps.blocks, ctx, owner, other),
    listBlocked: (ctx: RequestContext, owner: UserRef | null | undefined) => listEdges(deps.blocks, ctx, owner),

    /** True when `ownerId` has blocked `otherId`: the message service refuses such messages. */
    async isBlocked(ownerId: string, otherId: string): Promise<boolean> {
      const list = await blocklists.get(ownerId, async () => {
        const edges = await deps.blocks.find({ ownerId }, { otherId: 1 }).lean<EdgeDoc[]>();
        return new Set(edges.map((e) => e.otherId.toHexString()));
      });
      return list.has(otherId);
    },

    /** Drops cached blocklists written elsewhere (the `blocks.changed` event). */
    forgetBlocklists: (ownerIds: string[]) => blocklists.forget(ownerIds),
    forgetAllBlocklists: () => blocklists.clear(),

    /** Drops every edge touching deleted users. */
    async removeUsers(userIds: string[]) {
      for (const model of [deps.contacts, deps.blocks]) {
        await inChunks(userIds, (chunk) => model.deleteMany({ $or: [{ ownerId: { $in: chunk } }, { otherId: { $in: chunk } }] }));
      }
      // Deleted users leave others' blocklists: whose is not known without a read, and it matters not
      // (a deleted user sends nothing); their own lists go.
      written(deps.blocks, userIds);
    },
  };
}

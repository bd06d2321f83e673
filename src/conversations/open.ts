import type { RequestContext } from '../domain/context';
import { invalidInput } from '../domain/errors';
import type { UserRecord } from '../users/records';
import type { UserRef, UserService } from '../users/service';
import type { Membership } from './membership';
import type { ConversationRecord, ConversationView } from './records';
import type { ConversationStore } from './store';

/** Opening conversations by their natural key: direct pairs, system notices, customer service, groups. */
export function createConversationOpeners(deps: { store: ConversationStore; users: UserService; membership: Membership }) {
  const { store, users, membership } = deps;
  // Direct conversations by pair (`appId:d:a:b`): the pair → id mapping never changes once made.
  const directIds = new Map<string, string>();

  async function view(ctx: RequestContext, conversation: ConversationRecord, previouslyCreated?: boolean): Promise<ConversationView> {
    const p = ctx.principal;
    if (p.kind !== 'user') return { conversation, member: null, previouslyCreated };
    const key = `${conversation.id}:${p.userId}`;
    ctx.loaders.memberOf.clear(key);
    return { conversation, member: await ctx.loaders.memberOf.load(key), previouslyCreated };
  }

  /** Chat room `roomId` of the app (created on first use). */
  function openRoom(appId: string, roomId: number) {
    if (!Number.isSafeInteger(roomId) || roomId < 1) throw invalidInput('roomId must be a positive integer', 'roomId');
    return store.openByKey(appId, 'room', `r:${roomId}`);
  }

  /** System: the conversation of a store's supporter and a customer (or a user acting as one), opened once. */
  async function openCustomerServiceOf(shop: UserRecord, customer: UserRecord) {
    if (shop.id === customer.id) throw invalidInput('store and customer must differ', 'store');
    if (shop.appId !== customer.appId) throw invalidInput('store and customer are of different apps', 'store');
    const opened = await store.openByKey(customer.appId, 'customer_service', `c:${shop.id}:${customer.id}`);
    await membership.add(opened.conversation, [shop.id, customer.id]);
    return opened;
  }

  return {
    /** The direct conversation of two users; opening it again returns the same one. */
    async openDirect(ctx: RequestContext, fromRef: UserRef | null | undefined, peerRef: UserRef): Promise<ConversationView> {
      const me = await users.actingUser(ctx, fromRef);
      const peer = await users.findInApp(ctx, peerRef, 'peer');
      if (peer.id === me.id) throw invalidInput('a direct conversation needs two different users', 'peer');
      const [a, b] = [me.id, peer.id].sort();
      const key = `${me.appId}:d:${a}:${b}`;
      // Known pair with both members on its roster: no lookup by key (a scan on FerretDB).
      const knownId = directIds.get(key);
      const known = knownId ? await ctx.loaders.conversationById.load(knownId) : null;
      if (known) {
        const roster = await membership.roster(known.id);
        if (roster.some((m) => m.userId === a) && roster.some((m) => m.userId === b)) {
          const member = ctx.principal.kind === 'user' ? await ctx.loaders.memberOf.load(`${known.id}:${ctx.principal.userId}`) : null;
          return { conversation: known, member, previouslyCreated: true };
        }
      }
      const opened = await store.openByKey(me.appId, 'direct', `d:${a}:${b}`);
      if (directIds.size >= 50_000) directIds.delete(directIds.keys().next().value!);
      directIds.set(key, opened.conversation.id);
      if (!opened.previouslyCreated || (await store.countMembers(opened.conversation.id)) < 2) {
        await membership.add(opened.conversation, [me.id, peer.id]);
      }
      return view(ctx, opened.conversation, opened.previouslyCreated);
    },

    /** A user's system-notice conversation (one per user). */
    async openSystem(ctx: RequestContext, userRef: UserRef | null | undefined): Promise<ConversationView> {
      const user = await users.actingUser(ctx, userRef);
      const opened = await store.openByKey(user.appId, 'system', `s:${user.id}`);
      await membership.add(opened.conversation, [user.id]);
      return view(ctx, opened.conversation, opened.previouslyCreated);
    },

    /** A store ↔ customer service conversation (one per pair). */
    async openCustomerService(ctx: RequestContext, storeRef: UserRef, customerRef: UserRef | null | undefined): Promise<ConversationView> {
      const customer = await users.actingUser(ctx, customerRef);
      const shop = await users.findInApp(ctx, storeRef, 'store');
      const opened = await openCustomerServiceOf(shop, customer);
      return view(ctx, opened.conversation, opened.previouslyCreated);
    },

    openCustomerServiceOf,

    openRoom,

    /** A user enters (true) or leaves a chat room: its messages reach the members that are connected. */
    async setInRoom(ctx: RequestContext, roomId: number, inside: boolean): Promise<ConversationView> {
      const user = await users.actingUser(ctx, null);
      const { conversation } = await openRoom(user.appId, roomId);
      await (inside ? membership.add(conversation, [user.id]) : membership.remove(conversation, [user.id]));
      return view(ctx, conversation, true);
    },

    /** The conversation of group `groupId` (created on first use); `previouslyCreated` when it existed. */
    openGroup(appId: string, groupId: number) {
      return store.openByKey(appId, 'group', `g:${groupId}`, { groupId });
    },
  };
}

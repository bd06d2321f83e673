import type {
  MutationResolvers,
  NotificationSettingsResolvers,
  QueryResolvers,
  UserConnectionResolvers,
  UserResolvers,
} from '../../generated/graphql';
import type { PushProvider } from '../../users/records';
import type { UserRecord } from '../../users/records';
import type { SurfacePort as Services } from '../../ports/surface';

const styleToNumber = { SUMMARY: 0, DETAILS: 1 } as const;
const provider = (p: string) => p.toLowerCase() as PushProvider;

export function userResolvers({ users }: Services) {
  const Query: QueryResolvers = {
    me: (_p, _a, ctx) => (ctx.principal.kind === 'user' ? ctx.loaders.userById.load(ctx.principal.userId) : null),
    user: (_p, { ref }, ctx) => users.get(ctx, ref),
    users: (_p, args, ctx) => users.list(ctx, args),
  };

  const Mutation: MutationResolvers = {
    registerUser: (_p, { input, appId }, ctx) => users.register(ctx, input, appId),
    registerUsers: (_p, { input }, ctx) => users.registerMany(ctx, input),
    updateUserProfile: (_p, { user, input }, ctx) => users.updateProfile(ctx, user, input),
    updateNotificationSettings: (_p, { user, input }, ctx) =>
      users.updateNotificationSettings(ctx, user, {
        displayStyle: input.displayStyle ? styleToNumber[input.displayStyle] : undefined,
        doNotDisturb: input.doNotDisturb,
        groupMutes: input.groupMutes,
        muted: input.muted,
      }),
    setUserForbidden: (_p, { user, forbidden }, ctx) => users.applySettings(ctx, user, { forbidden }),
    setPeerDoNotDisturb: (_p, { user, peer, on }, ctx) => users.applySettings(ctx, user ?? {}, { peerDoNotDisturb: { peer, on } }),
    changePassword: (_p, { user, input }, ctx) => users.changePassword(ctx, user, input),
    setDeviceToken: (_p, { user, input }, ctx) =>
      users.setDeviceToken(ctx, user, provider(input.provider), input.token, input.notifierName),
    removeDeviceToken: (_p, { user, provider: p }, ctx) => users.removeDeviceToken(ctx, user, provider(p)),
    deactivateUser: (_p, { user }, ctx) => users.setActivated(ctx, user, false),
    activateUser: (_p, { user }, ctx) => users.setActivated(ctx, user, true),
    deleteUser: (_p, { user }, ctx) => users.delete(ctx, user),
    deleteOldestUsers: async (_p, { count }, ctx) => (await users.deleteOldest(ctx, count)).deleted,
  };

  const User: UserResolvers = {
    // Who may see them is the users area's rule (users.privateOf), not this resolver's.
    notificationSettings: (u, _a, ctx) => users.privateOf(ctx, u)?.notification ?? null,
    deviceTokens: (u, _a, ctx) =>
      users.privateOf(ctx, u)?.deviceTokens.map((t) => ({ ...t, provider: t.provider.toUpperCase() as never })) ?? null,
  };

  const NotificationSettings: NotificationSettingsResolvers = {
    displayStyle: (n) => (n.displayStyle === null ? null : n.displayStyle === 1 ? 'DETAILS' : 'SUMMARY'),
    groupMutes: (n) =>
      Object.entries(n.groupMutes)
        .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
        .map(([groupId, muted]) => ({ groupId, muted })),
    doNotDisturbPeers: async (n, _a, ctx) =>
      (await ctx.loaders.userById.loadMany(n.peerDoNotDisturb)).filter((u): u is UserRecord => !!u && !(u instanceof Error)),
  };

  const UserConnection: UserConnectionResolvers = {
    nodes: (c) => c.edges.map((e) => e.node),
    pageInfo: (c) => ({
      hasNextPage: c.hasNextPage,
      hasPreviousPage: c.hasPreviousPage,
      startCursor: c.edges[0]?.cursor ?? null,
      endCursor: c.edges[c.edges.length - 1]?.cursor ?? null,
    }),
  };

  return { Query, Mutation, User, NotificationSettings, UserConnection };
}

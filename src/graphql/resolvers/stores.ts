import type { SurfacePort as Services } from '../../ports/surface';
import type { MutationResolvers, QueryResolvers, StoreResolvers } from '../../generated/graphql';

export function storeResolvers(services: Services) {
  const { stores } = services;
  const Query: QueryResolvers = {
    stores: (_p, { appId }, ctx) => stores.list(ctx, appId),
  };
  const Mutation: MutationResolvers = {
    createStore: async (_p, { appId, input }, ctx) => (await stores.create(ctx, appId, input)).store,
  };
  const Store: StoreResolvers = {
    supporter: async (s, _a, ctx) => {
      const user = await ctx.loaders.userById.load(s.supporterId);
      if (!user) throw new Error('supporter missing');
      return user;
    },
  };
  return { Query, Mutation, Store };
}

import type { AppResolvers, MutationResolvers, QueryResolvers } from '../../generated/graphql';
import type { SurfacePort as Services } from '../../ports/surface';

export function appResolvers({ apps }: Services) {
  const Query: QueryResolvers = {
    apps: (_p, _a, ctx) => apps.list(ctx),
    app: (_p, { id }, ctx) => apps.get(ctx, id),
  };
  const Mutation: MutationResolvers = {
    createApp: (_p, { input }, ctx) => apps.create(ctx, { name: input.name, openRegistration: input.openRegistration ?? false }),
    rotateAppSecret: (_p, { appId, vendors }, ctx) =>
      apps.rotateSecrets(ctx, appId, vendors?.length ? vendors.map((v) => v.toLowerCase()) : undefined),
    updateAppSettings: (_p, { appId, input }, ctx) => apps.updateSettings(ctx, appId, input),
  };
  const App: AppResolvers = {};
  return { Query, Mutation, App };
}

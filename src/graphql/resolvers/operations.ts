import type { SurfacePort as Services } from '../../ports/surface';
import type { Resolvers } from '../../generated/graphql';

/** The operator's view of the server (the console's figures, recent errors, apps with their counts). */
export function operationsResolvers(services: Services): Resolvers {
  const { operations } = services;
  return {
    Query: {
      serverFigures: (_p, _a, ctx) => operations.figures(ctx),
      recentErrors: (_p, { surface, first }, ctx) => operations.recentErrors(ctx, first ?? 50, surface),
      appOverview: (_p, { first }, ctx) => operations.appOverview(ctx, first ?? 50),
    },
  };
}

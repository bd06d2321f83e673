import { isAccount } from '../../domain/context';
import type { QueryResolvers, ViewerResolvers } from '../../generated/graphql';

export const viewerQuery: QueryResolvers = {
  viewer: (_p, _a, ctx) => ({ principal: ctx.principal }),
};

export const Viewer: ViewerResolvers = {
  kind: ({ principal }) => principal.kind.toUpperCase() as 'ANONYMOUS' | 'OPERATOR' | 'APP' | 'USER' | 'CUSTOMER' | 'GATEWAY',
  app: ({ principal }, _a, ctx) => (principal.kind === 'app' || isAccount(principal) ? ctx.loaders.appById.load(principal.appId) : null),
  user: ({ principal }, _a, ctx) => (isAccount(principal) ? ctx.loaders.userById.load(principal.userId) : null),
  tokenExpiresAt: ({ principal }) => (principal.kind === 'app' || isAccount(principal) ? principal.expiresAt : null),
};

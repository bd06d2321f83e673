import type { MutationResolvers, TokenPayloadResolvers } from '../../generated/graphql';
import type { SurfacePort as Services } from '../../ports/surface';

export function tokenResolvers({ tokens }: Services) {
  const Mutation: MutationResolvers = {
    createAppToken: (_p, { input }, _ctx) => tokens.issueAppToken(input),
    createUserToken: (_p, { input }, ctx) => tokens.issueUserToken(ctx, input),
    revokeToken: (_p, { token }, ctx) => tokens.revoke(ctx, token),
  };
  const TokenPayload: TokenPayloadResolvers = {
    tokenType: () => 'Bearer',
  };
  return { Mutation, TokenPayload };
}

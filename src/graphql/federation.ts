import type { SurfacePort as Services } from '../ports/surface';
import type { RequestContext } from '../domain/context';

type UserReference = { id?: string; appId?: string; username?: string };

/**
 * `__resolveReference` of each entity (`@key` in schema/*.graphql). A gateway sends many references
 * in one `_entities` call; each resolves through the request's loaders, so they cost one query per
 * kind, and a reference the caller may not see is null, with no error that would tell it exists.
 */
export function entityResolvers({ visible }: Services) {
  return {
    User: {
      __resolveReference: (ref: UserReference, ctx: RequestContext) =>
        ref.id !== undefined
          ? visible.user(ctx, String(ref.id))
          : visible.userByUsername(ctx, String(ref.appId), String(ref.username ?? '')),
    },
    Conversation: { __resolveReference: (ref: { id: string }, ctx: RequestContext) => visible.conversation(ctx, String(ref.id)) },
    Group: { __resolveReference: (ref: { id: string }, ctx: RequestContext) => visible.group(ctx, String(ref.id)) },
    Message: { __resolveReference: (ref: { id: string }, ctx: RequestContext) => visible.message(ctx, String(ref.id)) },
  };
}

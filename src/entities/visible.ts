import type { ConversationService } from '../conversations/service';
import type { ConversationView } from '../conversations/records';
import type { RequestContext } from '../domain/context';
import { DomainError } from '../domain/errors';
import type { GroupRecord } from '../groups/service';
import type { MessageRecord } from '../messages/records';
import type { UserRecord } from '../users/records';

/** Hidden and absent look alike: the caller learns nothing about what it may not see. */
const HIDDEN = new Set(['NOT_FOUND', 'UNAUTHENTICATED', 'FORBIDDEN']);
async function nullIfHidden<T>(load: Promise<T>): Promise<T | null> {
  try {
    return await load;
  } catch (e) {
    if (e instanceof DomainError && HIDDEN.has(e.code)) return null;
    throw e;
  }
}

const ID = /^[0-9a-f]{24}$/;

/**
 * Entities by id for a caller, authorised as each entity's own field is: a user by any principal of
 * its app, a conversation (and its messages and group) by its members and its app. Anything else is
 * null. Every lookup goes through the request's loaders, so many references cost one query per kind
 * (Relay `nodes(ids:)`, federation `_entities`).
 */
export function createVisibility(deps: { conversations: Pick<ConversationService, 'access'> }) {
  const callerApp = (ctx: RequestContext) => (ctx.principal.kind === 'app' || ctx.principal.kind === 'user' ? ctx.principal.appId : null);
  const sameApp = <T extends { appId: string }>(ctx: RequestContext, v: T | null | undefined) =>
    v && v.appId === callerApp(ctx) ? v : null;
  const valid = (id: string) => ID.test(id);

  const visible = {
    async user(ctx: RequestContext, id: string): Promise<UserRecord | null> {
      return valid(id) && callerApp(ctx) ? sameApp(ctx, await ctx.loaders.userById.load(id)) : null;
    },

    async userByUsername(ctx: RequestContext, appId: string, username: string): Promise<UserRecord | null> {
      // Another app's users are never looked up.
      if (appId !== callerApp(ctx) || !username) return null;
      return sameApp(ctx, await ctx.loaders.userByUsername.load(`${appId}:${username}`));
    },

    async conversation(ctx: RequestContext, id: string): Promise<ConversationView | null> {
      return valid(id) && callerApp(ctx) ? nullIfHidden(deps.conversations.access(ctx, id)) : null;
    },

    async message(ctx: RequestContext, id: string): Promise<MessageRecord | null> {
      if (!valid(id) || !callerApp(ctx)) return null;
      const message = sameApp(ctx, await ctx.loaders.messageById.load(id));
      return message && (await visible.conversation(ctx, message.conversationId)) ? message : null;
    },

    async group(ctx: RequestContext, id: string): Promise<GroupRecord | null> {
      if (!valid(id) || !callerApp(ctx)) return null;
      const group = sameApp(ctx, await ctx.loaders.groupById.load(id));
      return group && !group.dissolved && (await visible.conversation(ctx, group.conversationId)) ? group : null;
    },
  };
  return visible;
}

export type Visibility = ReturnType<typeof createVisibility>;

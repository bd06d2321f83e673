import type { SurfacePort as Services } from '../../ports/surface';
import { decodeMemberCursor, encodeMemberCursor, memberPageKey } from '../../conversations/member-pages';
import { invalidInput } from '../../domain/errors';
import type { ConversationResolvers, MemberConnectionResolvers, MemberResolvers } from '../../generated/graphql';
import { pageInfo } from './connections';

const MAX_PAGE = 100;

/** Conversation.members as a connection, and the way back from a member to its conversation. */
export function memberResolvers({ conversations }: Services) {
  const members: ConversationResolvers['members'] = async (v, { first, after }, ctx) => {
    const size = first ?? 20;
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) throw invalidInput(`first must be 1 to ${MAX_PAGE}`, 'first');
    const cursor = after ? decodeMemberCursor(after) : undefined;
    if (after && !cursor) throw invalidInput('after is not a valid cursor', 'after');
    const page = await ctx.loaders.memberPage.load(memberPageKey(v.conversation, size, cursor));
    return {
      conversationId: v.conversation.id,
      edges: page.members.map((node) => ({ cursor: encodeMemberCursor(node), node })),
      hasNextPage: page.hasNextPage,
      hasPreviousPage: !!after,
    };
  };

  const MemberConnection: MemberConnectionResolvers = {
    nodes: (c) => c.edges.map((e) => e.node),
    pageInfo: (c) => pageInfo(c),
    totalCount: (c, _a, ctx) => conversations.memberCount(ctx, c.conversationId),
  };

  // A member is only ever shown inside a conversation the caller may see.
  const conversation: MemberResolvers['conversation'] = (m, _a, ctx) => conversations.access(ctx, m.conversationId);

  return { members, MemberConnection, conversation };
}

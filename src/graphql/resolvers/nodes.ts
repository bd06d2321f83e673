import type { SurfacePort as Services } from '../../ports/surface';
import type { ConversationView } from '../../conversations/records';
import type { RequestContext } from '../../domain/context';
import { invalidInput } from '../../domain/errors';
import type { GroupRecord } from '../../groups/service';
import type { MessageRecord } from '../../messages/records';
import type { UserRecord } from '../../users/records';
import type { QueryResolvers } from '../../generated/graphql';

type NodeValue = UserRecord | ConversationView | GroupRecord | MessageRecord;
const MAX_NODES = 100;

/** Which object type a node value is, from its shape (records carry no type tag). */
export function nodeType(v: NodeValue): 'User' | 'Conversation' | 'Group' | 'Message' {
  if ('conversation' in v) return 'Conversation';
  if ('username' in v) return 'User';
  if ('ownerId' in v && 'groupId' in v) return 'Group';
  return 'Message';
}

/**
 * Relay `node`/`nodes`. An id names no type (the ids are ObjectIds, unique across collections), so
 * every kind is asked for all ids at once: one query per kind for a whole list, through the loaders.
 */
export function nodeResolvers({ visible }: Services) {
  async function resolve(ctx: RequestContext, id: string): Promise<NodeValue | null> {
    const [user, conversation, group, message] = await Promise.all([
      visible.user(ctx, id),
      visible.conversation(ctx, id),
      visible.group(ctx, id),
      visible.message(ctx, id),
    ]);
    return user ?? conversation ?? group ?? message;
  }

  const Query: Pick<QueryResolvers, 'node' | 'nodes'> = {
    node: (_p, { id }, ctx) => resolve(ctx, id),
    nodes: (_p, { ids }, ctx) => {
      if (ids.length > MAX_NODES) throw invalidInput(`at most ${MAX_NODES} ids`, 'ids', 'limit_exceeded');
      return Promise.all(ids.map((id) => resolve(ctx, id)));
    },
  };
  return { Query, Node: { __resolveType: nodeType } };
}

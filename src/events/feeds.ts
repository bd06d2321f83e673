import type { ConversationService } from '../conversations/service';
import { isAccount, type RequestContext } from '../domain/context';
import { forbidden, unauthenticated } from '../domain/errors';
import type { Closable } from '../presence/connections';
import type { EventBus } from './bus';
import { topics, type DomainEvent } from './catalog';

type Subscribe = (handler: (event: DomainEvent) => void) => () => void;

/**
 * The bus as surfaces may hear it: each feed decides from the caller's principal which topic it
 * may follow, and returns the subscribe function a live source starts with. Surfaces never name
 * a topic themselves (the raw bus is on the system side).
 */
export function createFeeds(deps: {
  events: EventBus;
  conversations: Pick<ConversationService, 'watchable'>;
  connections: { add(appId: string, userId: string, socket: Closable): () => void };
}) {
  const { events } = deps;
  const on =
    (topic: string): Subscribe =>
    (h) =>
      events.subscribe(topic, h);
  return {
    /** A conversation's events, for a caller who may watch it (a member, or its app). */
    async conversation(ctx: RequestContext, conversationId: string): Promise<Subscribe> {
      await deps.conversations.watchable(ctx, conversationId);
      return on(topics.conversation(conversationId));
    },

    /** The calling user's own events (memberships, conversation changes). */
    mine(ctx: RequestContext): Subscribe {
      const p = ctx.principal;
      if (p.kind !== 'user') throw p.kind === 'anonymous' ? unauthenticated() : forbidden('this needs a user token');
      return on(topics.user(p.appId, p.userId));
    },

    /** Presence changes in the caller's app. */
    presence(ctx: RequestContext): Subscribe {
      const p = ctx.principal;
      if (p.kind !== 'app' && p.kind !== 'user') throw unauthenticated();
      return on(topics.presence(p.appId));
    },

    /** The outbox's delivery changes of the caller's app (app tokens). */
    deliveries(ctx: RequestContext): Subscribe {
      const p = ctx.principal;
      if (p.kind === 'anonymous') throw unauthenticated();
      if (p.kind !== 'app') throw forbidden('deliveryChanged needs an app token');
      return on(topics.deliveries(p.appId));
    },

    /** Calls `revoked` when the caller's own token is revoked (its live connections end). */
    ownTokenRevoked(ctx: RequestContext, revoked: () => void): () => void {
      const p = ctx.principal;
      return p.kind === 'app' || isAccount(p) ? events.subscribe(topics.token(p.tokenId), revoked) : () => undefined;
    },

    /** Counts the caller's live socket for presence while it is open (users and customers). */
    online(ctx: RequestContext, socket: Closable): () => void {
      const p = ctx.principal;
      return isAccount(p) ? deps.connections.add(p.appId, p.userId, socket) : () => undefined;
    },

    /** Told when the bus comes back after an outage (no event data: subscribers re-read what they may). */
    onResume: (handler: (missedSince: number) => void) => events.onResume(handler),
  };
}

export type Feeds = ReturnType<typeof createFeeds>;

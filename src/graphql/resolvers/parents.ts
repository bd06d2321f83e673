import type { ConversationView, MemberRecord } from '../../conversations/records';
import type { Principal } from '../../domain/context';
import type { EventOf } from '../../events/catalog';
import type { MessageRecord } from '../../messages/records';
import type { DeliveryRecord } from '../../outbox/records';
import type { GatewayRecord } from '../../outbox/gateways';
import type { WebhookSubscriptionRecord } from '../../outbox/subscriptions';
import type { RobotRecord } from '../../robots/service';
import type { UserRecord } from '../../users/records';

/**
 * What the resolvers of each mapped GraphQL type receive as their parent (codegen.yml's mappers).
 * Kept apart from the resolvers, which import the generated types, so that nothing is a cycle.
 */
export interface MemberConnectionParent {
  conversationId: string;
  edges: { cursor: string; node: MemberRecord }[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export interface ConversationConnectionParent {
  edges: { cursor: string; node: ConversationView }[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export interface MessageConnectionParent {
  edges: { cursor: string; node: MessageRecord }[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export interface OfflineCountsParent {
  user: UserRecord;
  total: number;
  perConversation: { conversationId: string; count: number }[];
}

export type PresenceEventParent = EventOf<'presence.changed'>;

export type ConversationEventParent = EventOf<'membership.changed'> | EventOf<'conversation.updated'>;

export interface DeliveryConnectionParent {
  edges: { cursor: string; node: DeliveryRecord }[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export type WebhookSubscriptionParent = WebhookSubscriptionRecord & { secret?: string };

export type GatewayParent = GatewayRecord & { secret?: string };

export type RobotParent = RobotRecord & { secret?: string };

export interface UserConnectionParent {
  edges: { cursor: string; node: UserRecord }[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export interface ViewerParent {
  principal: Principal;
}

export type DeliveryStatusParent = { userId: string; delivered: boolean; read: boolean };
export type PresenceStatusParent = { username: string; user: UserRecord | null; online: boolean };
export type DisconnectResultParent = { user: UserRecord; closed: number };

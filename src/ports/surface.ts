import type { AppService } from '../apps/service';
import type { ContactService } from '../contacts/service';
import type { ConversationService } from '../conversations/service';
import type { CredentialCheck } from '../credentials/service';
import type { Log, Loaders, RequestContext } from '../domain/context';
import type { Visibility } from '../entities/visible';
import type { Feeds } from '../events/feeds';
import type { LiveSource } from '../events/live';
import type { MessageRecord } from '../messages/records';
import type { GroupAdmin } from '../groups/admin';
import type { GroupService } from '../groups/service';
import type { HistoryExport } from '../messages/export';
import type { ChatFileService } from '../files/service';
import type { MessageService } from '../messages/service';
import type { Inbox } from '../inbox/service';
import type { Gateways } from '../outbox/gateways';
import type { OutboxService } from '../outbox/service';
import type { OperationsService } from '../operations/service';
import type { WebhookSubscriptions } from '../outbox/subscriptions';
import type { PresenceService } from '../presence/service';
import type { ProviderServices } from '../provider-services/service';
import type { RobotService } from '../robots/service';
import type { RoomService } from '../rooms/service';
import type { CustomerService } from '../stores/customer-service';
import type { StoreService } from '../stores/service';
import type { ProviderTokens } from '../tokens/provider';
import type { TokenService } from '../tokens/service';
import type { UserService } from '../users/service';
import type { WebAccessService } from '../web-access/service';

/**
 * The checked tier, by name: the only service methods a surface (GraphQL, an adapter, a web page)
 * can reach. Each takes the request's context and decides from its principal. The list is
 * default-deny: a new service method is not reachable from any surface until it is named here,
 * and the methods that skip the check (lookups by raw ids, rosters, credential verification,
 * presence counts, the raw bus) stay on the system side, the composition root's `Services`
 * (src/app/services.ts), which lint refuses in src/vendors, src/graphql and web/.
 */
export const CHECKED = {
  apps: ['create', 'get', 'list', 'rotateSecrets', 'updateSettings'],
  users: [
    'register',
    'registerMany',
    'ensure',
    'get',
    'list',
    'self',
    'privateOf',
    'actingUser',
    'findInApp',
    'findManyInApp',
    'findSomeInApp',
    'findByMobile',
    'namesOf',
    'updateProfile',
    'updateNotificationSettings',
    'applySettings',
    'setDeviceToken',
    'removeDeviceToken',
    'changePassword',
    'setActivated',
    'delete',
    'deleteOldest',
  ],
  tokens: ['issueAppToken', 'issueUserToken', 'grantUserToken', 'revoke'],
  contacts: ['addContact', 'removeContact', 'listContacts', 'block', 'unblock', 'listBlocked'],
  conversations: [
    'access',
    'watchable',
    'get',
    'list',
    'markRead',
    'offlineCounts',
    'openDirect',
    'openSystem',
    'openCustomerService',
    'setInRoom',
    'rosterOf',
    'memberCount',
  ],
  inbox: ['pending', 'undelivered', 'delivered', 'pushed'],
  messages: ['send', 'sendToEach', 'history', 'recall', 'recallByUid', 'findByUid', 'deliveryStatus', 'deliveryStatusByUid'],
  historyExport: ['link', 'messages', 'page'],
  files: ['upload', 'download', 'maxUploadBytes'],
  groups: ['create', 'get', 'rename', 'dissolve', 'addMembers', 'removeMembers', 'leave', 'upgradeToSuper', 'updateMember'],
  groupAdmin: [
    'list',
    'members',
    'joinedBy',
    'updateProfile',
    'transferOwnership',
    'setAdmin',
    'mute',
    'unmute',
    'setMutedAll',
    'block',
    'unblock',
    'blocked',
  ],
  rooms: ['create', 'get', 'list', 'update', 'remove', 'members', 'addMembers', 'removeMembers', 'setAdmin', 'enter', 'joinedBy'],
  visible: ['user', 'userByUsername', 'conversation', 'group', 'message'],
  stores: ['create', 'list'],
  customers: ['signIn', 'supporter', 'conversation', 'hasPending'],
  presence: ['statusOf', 'statuses', 'disconnect'],
  providerTokens: ['issueProviderToken', 'introspect'],
  providerServices: ['consume', 'create', 'issueToken'],
  webAccess: ['issue', 'open', 'registerExternal', 'groupChat'],
  robots: ['create', 'get', 'list', 'setCallback', 'setOwnCallback', 'ownCallback', 'rotateSecret'],
  outbox: ['get', 'list', 'replay', 'discard', 'sendOutbound'],
  operations: ['figures', 'recentErrors', 'appOverview'],
  webhooks: ['create', 'list', 'update', 'remove', 'rotateSecret'],
  gateways: ['set', 'list', 'remove'],
} as const satisfies { [K in keyof CheckedSources]: readonly (keyof CheckedSources[K] & string)[] };

/** What the composition root hands the port: every service the surfaces may reach a part of. */
export interface CheckedSources {
  apps: AppService;
  users: UserService;
  tokens: TokenService;
  contacts: ContactService;
  conversations: ConversationService;
  messages: MessageService;
  inbox: Inbox;
  historyExport: HistoryExport;
  files: ChatFileService;
  groups: GroupService;
  groupAdmin: GroupAdmin;
  rooms: RoomService;
  visible: Visibility;
  stores: StoreService;
  customers: CustomerService;
  presence: PresenceService;
  providerTokens: ProviderTokens;
  providerServices: ProviderServices;
  webAccess: WebAccessService;
  robots: RobotService;
  outbox: OutboxService;
  webhooks: WebhookSubscriptions;
  gateways: Gateways;
  operations: OperationsService;
}

type Checked = { [K in keyof typeof CHECKED]: Pick<CheckedSources[K], Extract<(typeof CHECKED)[K][number], keyof CheckedSources[K]>> };

/** Everything a surface gets: the checked tier, the credential check, checked feeds, fresh contexts. */
export type SurfacePort = Checked & {
  /** Turns credentials into principals (the only way a surface gets one). */
  credentials: CredentialCheck;
  /** The bus as a caller may hear it. */
  feeds: Feeds;
  /** A request's context before its credentials are checked. */
  anonymousContext(log: Log, requestId: string): RequestContext;
  /** A new request (fresh loaders, its own log and id) of a caller already proven in `from` (a socket's next operation). */
  nextContext(from: RequestContext, log: Log, requestId: string): RequestContext;
  /** Fresh per-event loaders for a live subscription. */
  newLoaders(): Loaders;
  /** messageAdded: checked when opened (a member, or the app), then pushed (messages/stream.ts). */
  messageStream(ctx: RequestContext, conversationId?: string | null, after?: string | null): Promise<LiveSource<MessageRecord>>;
};

/** Builds the port: each service reduced, at run time too, to its checked methods. */
export function surfacePort(
  sources: CheckedSources,
  rest: Omit<SurfacePort, keyof typeof CHECKED> & Record<string, unknown>,
  /** Wraps each checked method (a tracing span per service call), given its `area.method` name. */
  wrap?: (name: string, fn: (...a: unknown[]) => unknown) => (...a: unknown[]) => unknown,
): SurfacePort {
  const checked = {} as Record<string, Record<string, unknown>>;
  for (const [area, names] of Object.entries(CHECKED)) {
    const service = sources[area as keyof CheckedSources] as unknown as Record<string, unknown>;
    checked[area] = Object.fromEntries(
      names.map((name) => {
        const method = service[name];
        if (typeof method !== 'function') throw new Error(`surface port: ${area}.${name} is not a method`);
        const bound = (method as (...a: unknown[]) => unknown).bind(service);
        return [name, wrap ? wrap(`${area}.${name}`, bound) : bound];
      }),
    );
  }
  return {
    ...(checked as unknown as Checked),
    credentials: rest.credentials,
    feeds: rest.feeds,
    anonymousContext: rest.anonymousContext,
    newLoaders: rest.newLoaders,
    nextContext: rest.nextContext,
    messageStream: rest.messageStream,
  };
}

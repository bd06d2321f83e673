import type { Connection } from 'mongoose';
import { registerAppModel } from '../apps/model';
import { createAppService } from '../apps/service';
import { registerEdgeModels } from '../contacts/model';
import { createContactService } from '../contacts/service';
import { registerConversationModels } from '../conversations/model';
import { createConversationService } from '../conversations/service';
import { createConversationStore } from '../conversations/store';
import { registerCounterModel } from '../counters/counters';
import type { Log as Logger, Principal, RequestContext } from '../domain/context';
import { topics } from '../events/catalog';
import { createFeeds } from '../events/feeds';
import { registerGroupModel } from '../groups/model';
import { createVisibility } from '../entities/visible';
import { createGroupAdmin } from '../groups/admin';
import { createGroupService } from '../groups/service';
import { registerRoomModel } from '../rooms/model';
import { createRoomService } from '../rooms/service';
import { createDeliveryRecorder } from '../messages/delivery';
import { createInbox } from '../inbox/service';
import { registerMessageModels } from '../messages/model';
import { createHistoryExport } from '../messages/export';
import { createMessageService } from '../messages/service';
import { createMessageStore } from '../messages/store';
import { createConnectionRegistry } from '../presence/connections';
import { createLocalDirectory, type PresenceAnnounce } from '../presence/directory';
import { createRedisDirectory } from '../presence/redis-directory';
import { createPresenceService } from '../presence/service';
import { registerStoreModel } from '../stores/model';
import { createStoreService } from '../stores/service';
import { createCredentialCheck } from '../credentials/service';
import { createCustomerService } from '../stores/customer-service';
import { createCustomerAccounts } from '../users/customers';
import { registerProviderServiceModels } from '../provider-services/model';
import { createProviderServices } from '../provider-services/service';
import { createSecretBox, secretKeyMaterial } from '../db/secret-box';
import { hasReplicas } from '../db/topology';
import { setWriteBatch } from '../db/batches';
import { registerWebAccessModels } from '../web-access/model';
import { createWebAccess } from '../web-access/service';
import { createProviderTokens } from '../tokens/provider';
import { createProviderJwt, jwtKeys } from '../tokens/provider-jwt';
import { createLoginThrottle } from '../tokens/login-throttle';
import { createRedisLoginThrottle } from '../tokens/redis-login-throttle';
import { registerTokenModel } from '../tokens/model';
import { createTokenService } from '../tokens/service';
import { registerUserModel } from '../users/model';
import { createDepartedNames } from '../users/departed';
import { registerChatFileModel } from '../files/model';
import { createChatFileService } from '../files/service';
import { createChatFileStore } from '../files/store';
import { createUserService } from '../users/service';
import { createUserStore } from '../users/store';
import type { Config } from './config';
import { localCluster, type Cluster } from './cluster';
import { loadersOf } from './loaders';
import { createOutbox } from './outbox';
import { createOperationsService } from '../operations/service';
import { builtInAdapters, type AnyAdapter } from '../vendors';
import { pluginsOf } from './plugins';

/** Composition root: models on the connection, the stores and services that own them, the event wiring. */
export function createServices(
  config: Config,
  connection: Connection,
  log: Logger,
  cluster: Cluster = localCluster(),
  adapters: readonly AnyAdapter[] = builtInAdapters,
) {
  const { events } = cluster;
  const { kinds, clientTokens: clientTokenSettings, formats } = pluginsOf(config, adapters);
  setWriteBatch(config.database.writeBatch);
  const counters = registerCounterModel(connection);
  const edges = registerEdgeModels(connection);
  const convModels = registerConversationModels(connection);
  const msgModels = registerMessageModels(connection, { majority: hasReplicas(connection) });

  const tokenModel = registerTokenModel(connection);
  const announce: PresenceAnnounce = (appId, userId, online) =>
    events.publish('presence.changed', { appId, userId, online, at: Date.now() }, [topics.presence(appId)]);
  const { redis, prefix, instanceId } = cluster;
  const directory = redis
    ? createRedisDirectory({ redis, prefix, instanceId, ttlMs: config.redis.presenceTtlMs, announce, log })
    : createLocalDirectory(announce);
  const connections = createConnectionRegistry(directory.report);
  const apps = createAppService({
    apps: registerAppModel(connection, kinds),
    counters,
    kinds,
    onChanged: (appId) => events.publish('app.changed', { appId }, []),
  });
  const tokens = createTokenService({
    tokens: tokenModel,
    apps,
    users: () => users,
    defaultTtlSeconds: config.auth.tokenTtlSeconds,
    operatorToken: config.auth.operatorToken,
    gatewayToken: config.api.gatewayToken,
    throttle: cluster.redis
      ? createRedisLoginThrottle(cluster.redis, `${cluster.prefix}login:`, config.auth.loginThrottle)
      : createLoginThrottle(config.auth.loginThrottle),
    onRevoked: (tokenIds) => events.publish('token.revoked', { tokenIds }, tokenIds.map(topics.token)),
  });
  const userStore = createUserStore(registerUserModel(connection), (userIds) => events.publish('user.updated', { userIds }, []));
  const users = createUserService({
    store: userStore,
    departed: createDepartedNames(connection),
    limits: config.userLimits,
    memberGroupIds: (ctx, appId, userId, groupIds) => groups.memberGroupIds(ctx, appId, userId, groupIds),
    hooks: {
      revokeTokens: (appId, userIds, keep) => tokens.revokeForUsers(appId, userIds, keep),
      disconnect: (appId, userId, reason) => events.publish('user.disconnect', { appId, userId, reason }, []),
      removed: (userIds) => contacts.removeUsers(userIds),
      changed: (appId, change, list) =>
        events.publish('user.changed', { appId, change, users: list.map((u) => ({ id: u.id, username: u.username })) }, []),
    },
  });
  const contacts = createContactService({
    ...edges,
    users,
    limits: config.userLimits,
    blocksChanged: (ownerIds) => events.publish('blocks.changed', { ownerIds }, []),
  });
  const conversations = createConversationService({
    store: createConversationStore(convModels.conversations, convModels.members),
    users,
    events,
  });
  const groupModel = registerGroupModel(connection);
  const groups = createGroupService({ groups: groupModel, counters, conversations, users });
  const groupAdmin = createGroupAdmin({ groups: groupModel, service: groups, conversations, users });
  const rooms = createRoomService({ rooms: registerRoomModel(connection), counters, conversations, users });
  const messageStore = createMessageStore(msgModels.messages, msgModels.sendKeys);
  const messages = createMessageService({
    store: messageStore,
    conversations,
    contacts,
    users,
    groups,
    events,
    roomHistory: config.messaging.roomHistory,
  });
  const deliveries = createDeliveryRecorder(conversations);
  const keyMaterial = secretKeyMaterial(config.outbox.secretsKey, config.database.dataDir);
  const historyExport = createHistoryExport({ store: messageStore, keyMaterial, ttlSeconds: config.messaging.exportLinkTtlSeconds });
  const providerTokens = createProviderTokens({
    tokens: tokenModel,
    apps,
    users: () => users,
    jwt: createProviderJwt(jwtKeys(clientTokenSettings.jwtKeys, keyMaterial), clientTokenSettings.issuer),
    issuer: clientTokenSettings.issuer,
  });
  const providerServices = createProviderServices({
    models: registerProviderServiceModels(connection),
    counters,
    outbox: () => outbound.outbox,
  });
  const stores = createStoreService({
    model: registerStoreModel(connection),
    counters,
    users,
    changed: (appId) => events.publish('app.changed', { appId }, []),
  });
  const presence = createPresenceService({ directory, users, events });
  const customers = createCustomerService({
    stores,
    accounts: createCustomerAccounts(userStore),
    tokens,
    users,
    conversations,
    isOnline: presence.isOnline,
  });

  // Caches and live connections follow events, from this instance or (with a shared bus) any other.
  events.on('token.revoked', (e) => tokens.forget(e.tokenIds));
  events.on('app.changed', (e) => [apps, stores].forEach((area) => area.forget(e.appId)));
  // Back from a Redis outage: whatever changed elsewhere meanwhile was not heard; start cold.
  events.onResume(() => {
    tokens.forgetAll();
    userStore.forgetAll();
    contacts.forgetAllBlocklists();
  });
  events.on('blocks.changed', (e) => contacts.forgetBlocklists(e.ownerIds));
  events.on('user.updated', (e) => userStore.forget(e.userIds));
  events.on('user.disconnect', (e) => connections.closeUser(e.appId, e.userId, e.reason));

  const newLoaders = () => loadersOf({ apps, users, conversations, messages, groups });
  /** A RequestContext for one request, subscription event or CLI command. */
  const context = (principal: Principal, log: Logger, requestId: string): RequestContext => ({
    principal,
    loaders: newLoaders(),
    log,
    requestId,
  });

  const outbound = createOutbox(config, connection, { users, conversations, groups, messages, events, context, log, formats });
  const webAccess = createWebAccess({
    models: registerWebAccessModels(connection),
    box: createSecretBox(keyMaterial),
    ...{ users, groups, tokens, robots: outbound.robots },
  });

  const feeds = createFeeds({ events, conversations, connections });
  const credentials = createCredentialCheck({ apps, tokens, robots: outbound.robots, webAccess, providerTokens, users, historyExport });

  return {
    apps,
    users,
    credentials,
    feeds,
    tokens,
    contacts,
    conversations,
    messages,
    historyExport,
    files: createChatFileService({
      store: createChatFileStore(connection, registerChatFileModel(connection)),
      limits: config.messaging.files,
    }),
    deliveries,
    inbox: createInbox({ conversations, messages, deliveries }),
    groups,
    groupAdmin,
    rooms,
    visible: createVisibility({ conversations }),
    stores,
    customers,
    providerTokens,
    providerServices,
    webAccess,
    presence,
    connections,
    events,
    context,
    newLoaders,
    outbox: outbound.outbox,
    operations: createOperationsService({ apps, users, conversations, messages }),
    webhooks: outbound.subscriptions,
    gateways: outbound.gateways,
    robots: outbound.robots,
    outboxWorker: outbound.worker,
    /** Stops the event feed and the worker (in-flight attempts finish and are recorded). */
    stopOutbox: outbound.stop,
    /** Leaves the deployment's presence (before the cluster's Redis connection closes). */
    stopPresence: directory.close,
  };
}

export type Services = ReturnType<typeof createServices>;

import type { Connection } from 'mongoose';
import type { Config } from './config/config';
import { registerAppModel } from './apps/model';
import { createAppService } from './apps/service';
import { registerEdgeModels } from './contacts/model';
import { createContactService } from './contacts/service';
import { registerConversationModels } from './conversations/model';
import { createConversationService } from './conversations/service';
import { registerCounterModel } from './counters/counters';
import type { Log as Logger, Principal, RequestContext } from './domain/context';
import { createLoaders } from './domain/loaders';
import { createInProcessPubSub, topics, type PubSub } from './events/pubsub';
import { registerGroupModel } from './groups/model';
import { createGroupService } from './groups/service';
import { registerMessageModels } from './messages/model';
import { createDeliveryRecorder } from './messages/delivery';
import { createMessageService } from './messages/service';
import { createConnectionRegistry } from './presence/connections';
import { createPresenceService } from './presence/service';
import { registerTokenModel } from './tokens/model';
import { createTokenService } from './tokens/service';
import { registerUserModel } from './users/model';
import { createUserService, type UserService } from './users/service';

/** Composition root: models on the connection, then the services that own them. */
export function createServices(config: Config, connection: Connection, pubsub: PubSub = createInProcessPubSub()) {
  const counters = registerCounterModel(connection);
  const appModel = registerAppModel(connection);
  const userModel = registerUserModel(connection);
  const tokenModel = registerTokenModel(connection);
  const edges = registerEdgeModels(connection);
  const convModels = registerConversationModels(connection);
  const msgModels = registerMessageModels(connection);
  const groupModel = registerGroupModel(connection);

  const connections = createConnectionRegistry((appId, userId, online) =>
    pubsub.publish(topics.presence(appId), { userId, online, at: new Date() }),
  );
  const apps = createAppService({ apps: appModel, counters, easemobOrgName: config.easemobOrgName });
  const tokens = createTokenService({
    tokens: tokenModel,
    apps,
    users: () => users,
    defaultTtlSeconds: config.tokenTtlSeconds,
    operatorToken: config.operatorToken,
    onRevoked: (tokenIds) => tokenIds.forEach((id) => pubsub.publish(topics.token(id), { type: 'revoked' })),
  });
  const users: UserService = createUserService({
    users: userModel,
    apps,
    hooks: {
      revokeTokens: (appId, userIds, keep) => tokens.revokeForUsers(appId, userIds, keep),
      disconnect: (appId, userId) => void connections.closeUser(appId, userId),
      removed: (userIds) => contacts.removeUsers(userIds),
    },
  });
  const contacts = createContactService({ ...edges, users });
  const conversations = createConversationService({ ...convModels, users, pubsub });
  const deliveries = createDeliveryRecorder(conversations);
  const messages = createMessageService({
    ...msgModels,
    conversationModel: convModels.conversations,
    conversations,
    contacts,
    users,
    pubsub,
  });
  const groups = createGroupService({ groups: groupModel, counters, conversations, users });
  const presence = createPresenceService({ connections, users });

  const newLoaders = () =>
    createLoaders({
      appsByIds: (ids) => apps.findManyByIds(ids),
      usersByIds: (ids) => users.findManyByIds(ids),
      conversationsByIds: (ids) => conversations.findManyByIds(ids),
      membersByKeys: (keys) => conversations.findMembersByKeys(keys),
      membersByConversations: (ids) => conversations.findMembersByConversations(ids),
      messagesByIds: (ids) => messages.findManyByIds(ids),
      groupsByConversations: (ids) => groups.findManyByConversationIds(ids),
    });

  /** A RequestContext for one request, subscription event or CLI command. */
  const context = (principal: Principal, log: Logger, requestId: string): RequestContext => ({
    principal,
    loaders: newLoaders(),
    log,
    requestId,
  });

  return { apps, users, tokens, contacts, conversations, messages, deliveries, groups, presence, connections, pubsub, context, newLoaders };
}

export type Services = ReturnType<typeof createServices>;

import type { Connection } from 'mongoose';
import type { Log as Logger } from './domain/context';
import type { Config } from './config/config';
import { registerAppModel } from './apps/model';
import { createAppService } from './apps/service';
import { registerCounterModel } from './counters/counters';
import type { Principal, RequestContext } from './domain/context';
import { createLoaders } from './domain/loaders';
import { createConnectionRegistry } from './presence/connections';
import { registerTokenModel } from './tokens/model';
import { createTokenService } from './tokens/service';
import { registerUserModel } from './users/model';
import { createUserService, type UserService } from './users/service';

/** Composition root: models on the connection, then the services that own them. */
export function createServices(config: Config, connection: Connection) {
  const counters = registerCounterModel(connection);
  const appModel = registerAppModel(connection);
  const userModel = registerUserModel(connection);
  const tokenModel = registerTokenModel(connection);

  const connections = createConnectionRegistry();
  const apps = createAppService({ apps: appModel, counters, easemobOrgName: config.easemobOrgName });
  const tokens = createTokenService({
    tokens: tokenModel,
    apps,
    users: () => users,
    defaultTtlSeconds: config.tokenTtlSeconds,
    operatorToken: config.operatorToken,
  });
  const users: UserService = createUserService({
    users: userModel,
    apps,
    hooks: {
      revokeTokens: (appId, userIds, keep) => tokens.revokeForUsers(appId, userIds, keep),
      disconnect: (appId, userId) => void connections.closeUser(appId, userId),
    },
  });

  const newLoaders = () =>
    createLoaders({ appsByIds: (ids) => apps.findManyByIds(ids), usersByIds: (ids) => users.findManyByIds(ids) });

  /** A RequestContext for one request, subscription event or CLI command. */
  const context = (principal: Principal, log: Logger, requestId: string): RequestContext => ({
    principal,
    loaders: newLoaders(),
    log,
    requestId,
  });

  return { apps, users, tokens, connections, context, newLoaders };
}

export type Services = ReturnType<typeof createServices>;

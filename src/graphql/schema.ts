import fs from 'node:fs';
import path from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import type { Resolvers } from '../generated/graphql';
import type { Services } from '../app/services';
import { appResolvers } from './resolvers/apps';
import { messagingResolvers } from './resolvers/messaging';
import { outboxResolvers } from './resolvers/outbox';
import { storeResolvers } from './resolvers/stores';
import { DateTime } from './resolvers/scalars';
import { tokenResolvers } from './resolvers/tokens';
import { userResolvers } from './resolvers/users';
import { Viewer, viewerQuery } from './resolvers/viewer';

/** schema/ sits at the project root, both for src/ (ts-jest) and dist/src/ (built). */
function schemaDir(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'schema')) || !fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('schema/ directory not found');
    dir = parent;
  }
  return path.join(dir, 'schema');
}

export function loadTypeDefs(): string[] {
  const dir = schemaDir();
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
}

export function buildSchema(services: Services): GraphQLSchema {
  const apps = appResolvers(services);
  const users = userResolvers(services);
  const tokens = tokenResolvers(services);
  const messaging = messagingResolvers(services);
  const outbox = outboxResolvers(services);
  const stores = storeResolvers(services);
  const resolvers: Resolvers = {
    ...messaging,
    ...outbox,
    DateTime,
    Query: { ...viewerQuery, ...apps.Query, ...users.Query, ...messaging.Query, ...outbox.Query, ...stores.Query },
    Subscription: { ...messaging.Subscription, ...outbox.Subscription },
    Mutation: { ...apps.Mutation, ...users.Mutation, ...tokens.Mutation, ...messaging.Mutation, ...outbox.Mutation, ...stores.Mutation },
    Viewer,
    App: apps.App,
    User: users.User,
    NotificationSettings: users.NotificationSettings,
    UserConnection: users.UserConnection,
    TokenPayload: tokens.TokenPayload,
    Store: stores.Store,
  };
  return makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers: resolvers as never });
}

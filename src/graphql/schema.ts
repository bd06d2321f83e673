import fs from 'node:fs';
import path from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { parse, type GraphQLSchema } from 'graphql';
import type { Resolvers } from '../generated/graphql';
import type { RequestContext } from '../domain/context';
import { forbidden, invalidInput, unauthenticated } from '../domain/errors';
import type { SurfacePort as Services } from '../ports/surface';
import { appResolvers } from './resolvers/apps';
import { messagingResolvers } from './resolvers/messaging';
import { outboxResolvers } from './resolvers/outbox';
import { operationsResolvers } from './resolvers/operations';
import { storeResolvers } from './resolvers/stores';
import { DateTime } from './resolvers/scalars';
import { tokenResolvers } from './resolvers/tokens';
import { userResolvers } from './resolvers/users';
import { Viewer, viewerQuery } from './resolvers/viewer';
import { memberResolvers } from './resolvers/members';
import { markShared } from './live/shared';
import { nodeResolvers } from './resolvers/nodes';
import { entityResolvers } from './federation';
import type { GraphqlExtension } from '../ports/graphql-extension';

/** The plain schema (what frontends use) or the same schema as a Federation 2 subgraph. */
export type SchemaKind = 'plain' | 'subgraph';

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

const readDir = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));

/**
 * schema/*.graphql, plus what the kind needs: schema/plain declares the federation directives the
 * files apply; schema/subgraph links the federation spec that defines them.
 */
export function loadTypeDefs(kind: SchemaKind = 'plain'): string[] {
  const dir = schemaDir();
  return [...readDir(dir), ...readDir(path.join(dir, kind))];
}

/** At most this many representations per `_entities` call (a gateway batches a page's worth). */
export const MAX_ENTITY_REPRESENTATIONS = 1_000;

function limitEntities(schema: GraphQLSchema) {
  const field = schema.getQueryType()!.getFields()._entities!;
  const resolve = field.resolve!;
  field.resolve = (source, args: { representations?: unknown[] }, ctx, info) => {
    if ((args.representations?.length ?? 0) > MAX_ENTITY_REPRESENTATIONS)
      throw invalidInput(`at most ${MAX_ENTITY_REPRESENTATIONS} representations per call`, 'representations', 'limit_exceeded');
    return resolve(source, args, ctx, info);
  };
}

/**
 * `_service { sdl }` is the whole schema: while introspection is off (production) only the
 * operator or a gateway (GRAPHQL_GATEWAY_TOKEN) may read it.
 */
function guardServiceSdl(schema: GraphQLSchema) {
  const field = schema.getQueryType()!.getFields()._service!;
  const resolve = field.resolve!;
  field.resolve = (source, args, ctx: RequestContext, info) => {
    const kind = ctx.principal.kind;
    if (kind !== 'operator' && kind !== 'gateway')
      throw kind === 'anonymous'
        ? unauthenticated('the subgraph schema needs the gateway token')
        : forbidden('the subgraph schema is for the gateway');
    return resolve(source, args, ctx, info);
  };
}

/** Adds the adapters' resolvers, type by type, to the core's. */
function withExtensions(core: Resolvers, extensions: readonly GraphqlExtension[]): Resolvers {
  const merged = { ...core } as Record<string, object>;
  for (const ext of extensions)
    for (const [type, fields] of Object.entries(ext.resolvers ?? {})) merged[type] = { ...merged[type], ...fields };
  return merged as Resolvers;
}

export function buildSchema(
  services: Services,
  kind: SchemaKind = 'plain',
  opts: { introspection?: boolean; extensions?: readonly GraphqlExtension[] } = {},
): GraphQLSchema {
  const extensions = opts.extensions ?? [];
  const typeDefs = (k: SchemaKind) => [...loadTypeDefs(k), ...extensions.map((e) => e.typeDefs)];
  const apps = appResolvers(services);
  const users = userResolvers(services);
  const tokens = tokenResolvers(services);
  const messaging = messagingResolvers(services);
  const outbox = outboxResolvers(services);
  const stores = storeResolvers(services);
  const members = memberResolvers(services);
  const nodes = nodeResolvers(services);
  const resolvers: Resolvers = withExtensions(
    {
      ...messaging,
      Conversation: { ...messaging.Conversation, members: members.members },
      Member: { ...messaging.Member, conversation: members.conversation },
      MemberConnection: members.MemberConnection,
      Node: nodes.Node,
      ...outbox,
      DateTime,
      Query: {
        ...viewerQuery,
        ...nodes.Query,
        ...apps.Query,
        ...users.Query,
        ...messaging.Query,
        ...outbox.Query,
        ...stores.Query,
        ...operationsResolvers(services).Query,
      },
      Subscription: { ...messaging.Subscription, ...outbox.Subscription },
      Mutation: { ...apps.Mutation, ...users.Mutation, ...tokens.Mutation, ...messaging.Mutation, ...outbox.Mutation, ...stores.Mutation },
      Viewer,
      App: apps.App,
      User: users.User,
      NotificationSettings: users.NotificationSettings,
      UserConnection: users.UserConnection,
      TokenPayload: tokens.TokenPayload,
      Store: stores.Store,
    },
    extensions,
  );
  if (kind === 'plain') {
    const plain = makeExecutableSchema({ typeDefs: typeDefs('plain'), resolvers: resolvers as never });
    markShared(plain, resolvers as Record<string, unknown>);
    return plain;
  }
  const entities = entityResolvers(services);
  const withReferences = { ...resolvers } as Record<string, object>;
  for (const [type, reference] of Object.entries(entities)) withReferences[type] = { ...withReferences[type], ...reference };
  const subgraph = buildSubgraphSchema([{ typeDefs: parse(typeDefs('subgraph').join('\n')), resolvers: withReferences as never }]);
  markShared(subgraph, withReferences);
  limitEntities(subgraph);
  if (opts.introspection === false) guardServiceSdl(subgraph);
  return subgraph;
}

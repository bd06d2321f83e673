import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

/**
 * A second subgraph, as an organisation would run beside the facade: profiles that extend the
 * facade's `User` with a field of their own and point at its users and conversations.
 */
export const PROFILES_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type User @key(fields: "id") {
    id: ID!
    bio: String
  }
  type Conversation @key(fields: "id", resolvable: false) {
    id: ID!
  }
  type Profile {
    "Null when the caller may not see the user."
    user: User
    pinned: Conversation
  }
  type Query {
    profiles: [Profile!]!
  }
`;

export async function startProfilesSubgraph(profiles: { userId: string; pinned?: string }[]) {
  const schema = buildSubgraphSchema([
    {
      typeDefs: parse(PROFILES_SDL),
      resolvers: {
        Query: { profiles: () => profiles.map((p) => ({ user: { id: p.userId }, pinned: p.pinned ? { id: p.pinned } : null })) },
        User: {
          __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
          bio: (u: { id: string }) => `bio of ${u.id.slice(-4)}`,
        },
      } as never,
    },
  ]);
  const server = new ApolloServer({ schema });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return { url, stop: () => server.stop() };
}

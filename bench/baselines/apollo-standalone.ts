import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { onCommand, say } from '../lib/proc';
import { serveInspection } from '../lib/profile';

// Stock @apollo/server standalone, configured for production: the framework baseline.
async function main() {
  process.env.NODE_ENV = 'production';
  const server = new ApolloServer({ typeDefs: 'type Query { ok: Boolean! }', resolvers: { Query: { ok: () => true } } });
  const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: 0 } });
  serveInspection(onCommand);
  say('READY', { url });
}

void main();

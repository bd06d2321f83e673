import { createServer } from 'node:http';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { servePacedRuns } from '../lib/paced';
import { argsOf, say } from '../lib/proc';

/**
 * The stock baseline of the fan-out: an unmodified graphql-ws server (`useServer`, graphql-js
 * `subscribe`) with the same subscription document and payload shape as ours, and no database.
 * Each subscriber has its own async iterator; each event is executed and serialised per
 * subscriber, as every common GraphQL server does. Command `run <rate> <seconds> <firstN>` publishes
 * at that rate and answers `RESULT`;
 * `cpu` answers the process's CPU time so far (process.cpuUsage).
 */
const typeDefs = `
  type Query { ok: Boolean }
  type User { username: String! }
  type Message { id: ID! seq: Int text: String createdAt: String! sender: User }
  type Subscription { messageAdded(conversationId: ID): Message }
`;

type Event = { id: string; seq: number; text: string; createdAt: string; sender: { username: string } };
const listeners = new Set<(e: Event) => void>();

/** A per-subscriber queue read as an async iterator: the shape of a typical pub/sub subscription. */
function subscribeToEvents(): AsyncIterableIterator<{ messageAdded: Event }> {
  const queue: Event[] = [];
  let wake: (() => void) | undefined;
  const listener = (e: Event) => {
    queue.push(e);
    wake?.();
  };
  listeners.add(listener);
  const it: AsyncIterableIterator<{ messageAdded: Event }> = {
    async next() {
      while (!queue.length) await new Promise<void>((r) => (wake = r));
      return { done: false, value: { messageAdded: queue.shift()! } };
    },
    async return() {
      listeners.delete(listener);
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => it,
  };
  return it;
}

async function main() {
  argsOf<Record<string, never>>();
  process.env.NODE_ENV = 'production';
  const schema = makeExecutableSchema({
    typeDefs,
    resolvers: { Subscription: { messageAdded: { subscribe: () => subscribeToEvents() } } },
  });
  const http = createServer();
  const wss = new WebSocketServer({ server: http, path: '/graphql', perMessageDeflate: false });
  useServer({ schema, onConnect: () => true }, wss);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as { port: number }).port;
  say('READY', { url: `ws://127.0.0.1:${port}/graphql` });
  servePacedRuns((n, due) => {
    const event = {
      id: `m${n}`,
      seq: n,
      text: `t=${due.toFixed(3)};n=${n}`,
      createdAt: new Date().toISOString(),
      sender: { username: 'u0' },
    };
    for (const l of listeners) l(event);
  });
}

void main();

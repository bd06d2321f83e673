import {
  createSourceEventStream,
  execute,
  print,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import type { RequestContext } from '../domain/context';

/**
 * graphql-js executes a subscription's selection once per subscriber per event. Every member of a
 * room receives the same event (same `eventId`) from the bus, so here the result is computed once per
 * event and per distinct (document, variables), and every subscriber with that subscription gets
 * the same result. Documents that select a viewer-dependent field (below) add the viewer to the
 * key, so nobody ever receives a result computed for someone else.
 */
const VIEWER_DEPENDENT = new Set([
  'User.notificationSettings',
  'User.deviceTokens',
  'Conversation.unreadCount',
  'Conversation.membership',
  'Conversation.previouslyCreated',
]);

const viewerDependence = new WeakMap<DocumentNode, boolean>();

function dependsOnViewer(schema: GraphQLSchema, document: DocumentNode): boolean {
  let known = viewerDependence.get(document);
  if (known === undefined) {
    known = false;
    const typeInfo = new TypeInfo(schema);
    visit(
      document,
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          const parent = typeInfo.getParentType();
          if (parent && VIEWER_DEPENDENT.has(`${parent.name}.${node.name.value}`)) known = true;
        },
      }),
    );
    viewerDependence.set(document, known);
  }
  return known;
}

/**
 * Results by event id, then by subscription key. Events arrive decoded from JSON (the bus
 * round-trips them, as Redis will), so they are matched by their `eventId`, not by object
 * identity. An event's results live a few seconds: long enough for every local subscriber of it;
 * at most MAX_EVENTS events are kept. Keys are the subscriptions' own strings, never copied.
 */
const RESULT_TTL_MS = 5_000;
const MAX_EVENTS = 5_000;
const results = new Map<string, { at: number; byKey: Map<string, Promise<ExecutionResult>> }>();

function shared(eventId: string, key: string, run: () => Promise<ExecutionResult>): Promise<ExecutionResult> {
  const now = Date.now();
  let entry = results.get(eventId);
  if (!entry || now - entry.at >= RESULT_TTL_MS) {
    // Insertion order is age order: drop what is too old or beyond the bound.
    for (const [old, e] of results) {
      if (results.size < MAX_EVENTS && now - e.at < RESULT_TTL_MS) break;
      results.delete(old);
    }
    results.set(eventId, (entry = { at: now, byKey: new Map() }));
  }
  let result = entry.byKey.get(key);
  if (!result) entry.byKey.set(key, (result = run()));
  return result;
}

const viewerKey = (ctx: RequestContext) => {
  const p = ctx.principal;
  return p.kind === 'user' ? `u:${p.userId}` : p.kind === 'app' ? `a:${p.appId}` : p.kind;
};

export async function sharedSubscribe(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) return source as ExecutionResult;
  const ctx = args.contextValue as RequestContext;
  // graphql-ws parses every subscribe message anew: documents are compared by their text.
  const text = args.document.loc?.source.body ?? print(args.document);
  const key = `${dependsOnViewer(args.schema, args.document) ? `${viewerKey(ctx)}|` : ''}${args.operationName ?? ''}|${JSON.stringify(args.variableValues ?? {})}|${text}`;
  const iterator = source[Symbol.asyncIterator]();
  const execOne = (event: unknown) => Promise.resolve(execute({ ...args, rootValue: event }) as ExecutionResult | Promise<ExecutionResult>);
  const run = (event: unknown): Promise<ExecutionResult> => {
    const eventId = (event as { eventId?: unknown } | null)?.eventId;
    return typeof eventId === 'string' ? shared(eventId, key, () => execOne(event)) : execOne(event);
  };
  const mapped: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      const step = await iterator.next();
      return step.done ? { done: true, value: undefined } : { done: false, value: await run(step.value) };
    },
    async return() {
      await iterator.return?.();
      return { done: true, value: undefined };
    },
    async throw(error: unknown) {
      await iterator.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return mapped;
    },
  };
  return mapped;
}

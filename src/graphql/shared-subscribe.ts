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
 * room receives the same event object from the pub/sub, so here the result is computed once per
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

// event object → subscription key → result; entries go with the event.
const results = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();

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
  const run = (event: unknown): Promise<ExecutionResult> => {
    if (typeof event !== 'object' || event === null) return Promise.resolve(execute({ ...args, rootValue: event }) as ExecutionResult);
    let perEvent = results.get(event);
    if (!perEvent) results.set(event, (perEvent = new Map()));
    let result = perEvent.get(key);
    if (!result) {
      result = Promise.resolve(execute({ ...args, rootValue: event }) as ExecutionResult | Promise<ExecutionResult>);
      perEvent.set(key, result);
    }
    return result;
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

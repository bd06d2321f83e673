import {
  execute,
  GraphQLError,
  print,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { isAccount, type RequestContext } from '../../domain/context';
import { fanoutDone } from '../../observability/metrics';
import { isShareable } from './shared';

/**
 * graphql-js executes a subscription's selection once per subscriber per event, and graphql-ws
 * then serialises it once per subscriber. Every member of a room receives the same event (same
 * `eventId`) from the bus, so here the result is computed and serialised once per event and per
 * distinct (document, variables), and each subscriber's frame only wraps that text with its own
 * operation id. Only documents whose every field is declared shareable (shared.ts) are shared;
 * any other document adds the viewer to the key, so nobody ever receives a result computed for
 * someone else.
 */
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
          const field = typeInfo.getFieldDef();
          if (!node.name.value.startsWith('__') && (!field || !isShareable(field))) known = true;
        },
      }),
    );
    viewerDependence.set(document, known);
  }
  return known;
}

const viewerKey = (ctx: RequestContext) => {
  const p = ctx.principal;
  return isAccount(p) ? `u:${p.userId}` : p.kind === 'app' ? `a:${p.appId}` : p.kind;
};

/** What makes two subscriptions' results equal for the same event: computed once per operation. */
export function shareKey(args: ExecutionArgs): string {
  const ctx = args.contextValue as RequestContext;
  // The same text may be parsed more than once (the document cache is bounded): compare texts.
  const text = args.document.loc?.source.body ?? print(args.document);
  const viewer = dependsOnViewer(args.schema, args.document) ? `${viewerKey(ctx)}|` : '';
  return `${viewer}${args.operationName ?? ''}|${JSON.stringify(args.variableValues ?? {})}|${text}`;
}

/** Something waiting for a frame's text: an operation that flushes its frames in order. */
export interface FrameWaiter {
  flush(): void;
}

/** One event's `next` payload for one subscription key, as JSON text once it is computed. */
export class Frame {
  text: string | undefined;
  private waiters: FrameWaiter[] | undefined;
  private encoded: Buffer | undefined;

  /** The text as UTF-8, encoded once for every socket that receives it. */
  get bytes(): Buffer {
    return (this.encoded ??= Buffer.from(this.text!));
  }

  wait(waiter: FrameWaiter) {
    (this.waiters ??= []).push(waiter);
  }

  resolve(text: string) {
    this.text = text;
    const waiters = this.waiters;
    this.waiters = undefined;
    if (waiters) for (const w of waiters) w.flush();
  }
}

/** A frame whose text is known. */
export function readyFrame(text: string): Frame {
  const frame = new Frame();
  frame.text = text;
  return frame;
}

/** Turns a result into its wire form (errors formatted as over HTTP). */
export type FormatResult = (result: ExecutionResult) => unknown;

/** Executes `args` on `event` and serialises the result into a new frame (at once when execution is synchronous). */
function executeFrame(args: ExecutionArgs, event: unknown, format: FormatResult, eventId?: string): Frame {
  const frame = new Frame();
  const done = (result: ExecutionResult) => {
    frame.resolve(JSON.stringify(format(result)));
    if (eventId) fanoutDone(eventId);
  };
  const failed = (e: unknown) =>
    done({ errors: [e instanceof GraphQLError ? e : new GraphQLError('the event could not be delivered', { originalError: e as Error })] });
  try {
    const result = execute({ ...args, rootValue: event });
    if (result instanceof Promise) result.then(done, failed);
    else done(result);
  } catch (e) {
    failed(e);
  }
  return frame;
}

/**
 * Frames by event id, then by share key. Events arrive decoded from JSON (the bus round-trips
 * them, as Redis does), so they are matched by their `eventId`, not by object identity. An event's
 * frames live a few seconds: long enough for every local subscriber of it; at most MAX_EVENTS
 * events are kept.
 */
const FRAME_TTL_MS = 5_000;
const MAX_EVENTS = 5_000;
const frames = new Map<string, { at: number; byKey: Map<string, Frame> }>();

/** The frame of `event` for subscriptions with `key`: shared when the event has an id, else its own. */
export function frameFor(key: string, args: ExecutionArgs, event: unknown, format: FormatResult): Frame {
  const eventId = (event as { eventId?: unknown } | null)?.eventId;
  if (typeof eventId !== 'string') return executeFrame(args, event, format);
  let entry = frames.get(eventId);
  if (!entry) {
    const now = Date.now();
    // Insertion order is age order: drop what is too old or beyond the bound.
    for (const [old, e] of frames) {
      if (frames.size < MAX_EVENTS && now - e.at < FRAME_TTL_MS) break;
      frames.delete(old);
    }
    frames.set(eventId, (entry = { at: now, byKey: new Map() }));
  }
  let frame = entry.byKey.get(key);
  if (!frame) entry.byKey.set(key, (frame = executeFrame(args, event, format, eventId)));
  return frame;
}

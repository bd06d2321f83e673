import { isAccount, type AppPrincipal, type CustomerPrincipal, type RequestContext, type UserPrincipal } from '../domain/context';
import { invalidInput, unauthenticated } from '../domain/errors';
import { topics, type DomainEvent } from '../events/catalog';
import type { EventBus } from '../events/bus';
import type { ConversationService } from '../conversations/service';
import type { DeliveryRecorder } from './delivery';
import type { MessageService } from './service';
import { inOrder, liveSource, type LiveSource, type Sink } from '../events/live';
import { decodeMessageCursor, fromMessagePayload, type MessageRecord } from './records';

/** What the stream needs: the bus, membership checks, stored messages, the delivery recorder. */
export interface StreamDeps {
  events: EventBus;
  conversations: Pick<ConversationService, 'watchable' | 'findManyByIds' | 'activeSince'>;
  messages: Pick<MessageService, 'after' | 'createdSince'>;
  deliveries: DeliveryRecorder;
}

type MessageAdded = Extract<DomainEvent, { type: 'message.added' }>;
/** Events may have been missed since this time (the bus was cut off): catch up from the database. */
type Resume = { type: 'resume'; since: number };
type StreamItem = MessageAdded | Resume;

/** A message delivered live: its event's id comes along (src/graphql/shared-subscribe.ts). */
export type LiveMessage = MessageRecord & { eventId?: string };

// Every local subscriber receives the same decoded event: convert it once for all of them.
const converted = new WeakMap<MessageAdded, LiveMessage>();
function liveMessage(event: MessageAdded): LiveMessage {
  let m = converted.get(event);
  if (!m) converted.set(event, (m = { ...fromMessagePayload(event.message), eventId: event.eventId }));
  return m;
}

const REPLAY_PAGE = 200;
/** How long a live message may wait for a lower seq whose insert is still in flight. */
const GAP_WAIT_MS = 2_000;

/**
 * The messageAdded stream. It subscribes to live events first, then (with `after`) replays what
 * is stored, then handles live events in arrival order: anything at or below the last delivered
 * seq is skipped, anything beyond the next expected seq is preceded by the missing ones read from
 * the database. Hence in order, no gap, no duplicate, even when messages arrive during the replay.
 * Pushed: a live message in sequence reaches the sink synchronously, with no promise per subscriber.
 */
export async function openMessageStream(
  services: StreamDeps,
  ctx: RequestContext,
  conversationId?: string | null,
  after?: string | null,
): Promise<LiveSource<MessageRecord>> {
  // Authorization and input errors surface at subscribe time (as GraphQL errors), not mid-stream.
  const p = ctx.principal;
  if (p.kind !== 'app' && !isAccount(p)) throw unauthenticated();
  if (after != null && (!conversationId || decodeMessageCursor(after) === undefined)) {
    throw invalidInput(conversationId ? 'after is not a valid cursor' : 'after needs conversationId', 'after');
  }
  if (!conversationId && p.kind !== 'user')
    throw invalidInput('conversationId is required with an app or customer token', 'conversationId');
  if (conversationId) await services.conversations.watchable(ctx, conversationId);
  const afterSeq = after != null ? decodeMessageCursor(after) : undefined;
  return liveSource((sink) => startMessageStream(services, ctx, p, sink, conversationId, afterSeq));
}

type Step = StreamItem | { type: 'start' };

/** Inputs were checked by openMessageStream; this runs the stream itself. Returns its stop. */
function startMessageStream(
  services: StreamDeps,
  ctx: RequestContext,
  p: AppPrincipal | UserPrincipal | CustomerPrincipal,
  sink: Sink<MessageRecord>,
  conversationId: string | null | undefined,
  afterSeq: number | undefined,
): () => void {
  const viewer = isAccount(p) ? p.userId : undefined;
  const last = new Map<string, number>();
  let stopped = false;
  const emit = (m: MessageRecord) => {
    if (stopped) return;
    if (m.seq != null && !m.transient) last.set(m.conversationId, m.seq);
    if (viewer) services.deliveries.record(viewer, m);
    sink.next(m);
  };
  const emitAll = (ms: MessageRecord[]) => {
    // Past what this stream delivered already (catch-up and replay may overlap live events).
    for (const m of ms) if (m.seq! > (last.get(m.conversationId) ?? 0)) emit(m);
  };

  async function start() {
    if (!conversationId) return;
    if (isAccount(p)) await services.conversations.watchable(ctx, conversationId); // still a member after subscribing
    // Without `after`, start at the current end, read after subscribing (and past the request's
    // loader cache): a message stored in between is at or below it, or arrives live.
    last.set(conversationId, afterSeq ?? (await services.conversations.findManyByIds([conversationId]))[0]?.lastSeq ?? 0);
    if (afterSeq === undefined) return;
    for (;;) {
      const page = await services.messages.after(conversationId, last.get(conversationId)!, REPLAY_PAGE);
      emitAll(page);
      if (page.length < REPLAY_PAGE || stopped) return;
    }
  }

  // Synchronous unless the step must read the database (start, catch-up, a gap).
  const handle = (step: Step): void | Promise<void> => {
    if (stopped) return;
    if (step.type === 'start') return start();
    if (step.type === 'resume') return catchUp(services, p, conversationId, last, step.since).then(emitAll);
    const m = liveMessage(step);
    const prev = m.transient ? undefined : last.get(m.conversationId);
    if (prev !== undefined && m.seq! <= prev) return;
    if (prev === undefined || m.seq === prev + 1) return emit(m);
    return fillGap(services, m.conversationId, prev, m.seq!).then((missing) => (emitAll(missing), emit(m)));
  };
  const steps = inOrder<Step>(handle, (e) => stop(e));
  const unsubscribe = listen(services, p, steps.push, () => stop(), conversationId, last);
  steps.push({ type: 'start' });

  function shutdown() {
    if (stopped) return false;
    stopped = true;
    steps.close();
    for (const u of unsubscribe) u();
    // The user may be going offline: their counts should be right at once.
    if (viewer) void services.deliveries.flush();
    return true;
  }
  function stop(error?: unknown) {
    if (shutdown()) sink.end(error);
  }
  return () => void shutdown();
}

/** Subscribes the stream to its messages, and (for a user) to being removed from a conversation. */
function listen(
  services: StreamDeps,
  p: AppPrincipal | UserPrincipal | CustomerPrincipal,
  push: (item: StreamItem) => void,
  end: () => void,
  conversationId: string | null | undefined,
  last: Map<string, number>,
): (() => void)[] {
  const unsubscribe: (() => void)[] = [services.events.onResume((since) => push({ type: 'resume', since }))];
  const topic = conversationId ? topics.conversation(conversationId) : isAccount(p) ? topics.user(p.appId, p.userId) : undefined;
  if (topic) {
    unsubscribe.push(
      services.events.subscribe(topic, (e) => {
        if (e.type === 'message.added') push(e);
      }),
    );
  }
  if (isAccount(p)) {
    // Leaving or being removed ends the stream of that conversation.
    unsubscribe.push(
      services.events.subscribe(topics.user(p.appId, p.userId), (e) => {
        if (e.type === 'membership.changed' && e.change === 'removed' && e.userIds.includes(p.userId)) {
          if (conversationId === e.conversationId) end();
          else last.delete(e.conversationId);
        }
      }),
    );
  }
  return unsubscribe;
}

/**
 * What a stream may have missed while events did not travel: after the last seq it delivered in
 * each conversation it knows, and (a user's stream of all their conversations) the messages stored
 * since `since` in conversations it had heard nothing from. In seq order per conversation.
 */
async function catchUp(
  services: StreamDeps,
  p: AppPrincipal | UserPrincipal | CustomerPrincipal,
  conversationId: string | null | undefined,
  last: Map<string, number>,
  since: number,
): Promise<MessageRecord[]> {
  const out: MessageRecord[] = [];
  const known = conversationId ? [conversationId] : [...last.keys()];
  for (const id of known) {
    for (let from = last.get(id) ?? 0; ;) {
      const page = await services.messages.after(id, from, REPLAY_PAGE);
      out.push(...page);
      if (page.length < REPLAY_PAGE) break;
      from = page.at(-1)!.seq!;
    }
  }
  if (!conversationId && isAccount(p)) {
    for (const id of await services.conversations.activeSince(p.userId, new Date(since))) {
      if (!last.has(id)) out.push(...(await services.messages.createdSince(id, new Date(since), REPLAY_PAGE)));
    }
  }
  return out;
}

/** Messages with prev < seq < upTo, waiting briefly for inserts still in flight. */
async function fillGap(services: StreamDeps, conversationId: string, prev: number, upTo: number): Promise<MessageRecord[]> {
  const want = upTo - prev - 1;
  if (want <= 0) return [];
  const deadline = Date.now() + GAP_WAIT_MS;
  for (;;) {
    const found = (await services.messages.after(conversationId, prev, want)).filter((m) => m.seq! < upTo);
    if (found.length === want || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
}

import type { ConversationService } from '../conversations/service';
import type { Log } from '../domain/context';
import type { EventBus } from '../events/bus';
import { topics, type DomainEvent, type MessagePayload } from '../events/catalog';
import type { GroupService } from '../groups/service';
import type { RobotService } from '../robots/service';
import type { UserService } from '../users/service';
import { OWN_FORMAT, type WebhookFormatter } from './formats';
import { ROBOT, WEBHOOK, type WebhookEventType } from './records';
import type { NewDelivery } from './store';
import type { WebhookSubscriptions } from './subscriptions';

/** A domain event under its outside name, with the data a webhook receiver gets. */
function outsideEvent(e: DomainEvent): { appId: string; type: WebhookEventType; data: Record<string, unknown> } | null {
  switch (e.type) {
    case 'message.added':
      // Online-only notifications are never stored, and are not announced outside either.
      return e.message.seq === null ? null : { appId: e.message.appId, type: 'message.created', data: { message: e.message } };
    case 'message.recalled':
      return { appId: e.message.appId, type: 'message.recalled', data: { message: e.message } };
    case 'user.changed':
      return { appId: e.appId, type: `user.${e.change}`, data: { users: e.users } };
    case 'membership.changed':
      return {
        appId: e.appId,
        type: 'membership.changed',
        data: { conversationId: e.conversationId, change: e.change, userIds: e.userIds },
      };
    case 'conversation.updated':
      return { appId: e.appId, type: 'group.changed', data: { conversationId: e.conversationId, change: e.change } };
    default:
      return null;
  }
}

/** The JSON a robot receives for a message (sender, conv, payload, messageUid, timestamp). */
function robotCallbackBody(m: MessagePayload, sender: string, conv: { type: number; target: string }) {
  let payload: Record<string, unknown> = { type: 1, searchableContent: m.text ?? '' };
  if (m.payload && m.type !== 'text') {
    try {
      payload = { type: 0, content: m.payload, ...(JSON.parse(m.payload) as object) };
    } catch {
      payload = { type: 0, content: m.payload };
    }
  }
  // The robot protocol's content types: 2 voice, 3 image, 4 location, 5 file, 6 video.
  const media = { audio: 2, image: 3, video: 6 } as Record<string, number>;
  if (m.url) payload = { ...payload, type: media[m.type] ?? 5, remoteMediaUrl: m.url, searchableContent: m.fileName ?? m.text ?? '' };
  if (m.type === 'location') payload = { ...payload, type: 4, searchableContent: m.text ?? '' };
  return { sender, conv: { ...conv, line: 0 }, payload, messageUid: m.uid, timestamp: m.createdAt };
}

export interface FeederDeps {
  /** Registered callback formats' writers, by name (outbox/formats.ts). */
  formats?: ReadonlyMap<string, WebhookFormatter>;
  events: EventBus;
  subscriptions: WebhookSubscriptions;
  robots: RobotService;
  conversations: ConversationService;
  groups: GroupService;
  users: UserService;
  enqueue(items: NewDelivery[]): Promise<unknown>;
  log: Log;
}

/**
 * Turns domain events into deliveries: one per interested webhook subscription, and one per robot
 * that receives a message. Idempotency keys name the cause, so the same event heard twice (two
 * instances, a retry) still makes one delivery. Lookups happen only for apps that have subscribers.
 */
/** Events kept while their deliveries cannot be written, and for how long each is tried. */
const MAX_WAITING = 50_000;
const RETRY_FOR_MS = 10 * 60_000;

export function startOutboxFeeder(deps: FeederDeps): { stop(): Promise<void> } {
  const { subscriptions, robots } = deps;
  const inFlight = new Set<Promise<void>>();

  async function webhooks(e: DomainEvent): Promise<NewDelivery[]> {
    const outside = outsideEvent(e);
    if (!outside) return [];
    const wanting = await subscriptions.wanting(outside.appId, outside.type);
    const body = JSON.stringify({
      eventId: e.eventId,
      type: outside.type,
      appId: outside.appId,
      createdAt: new Date().toISOString(),
      data: outside.data,
    });
    const out: NewDelivery[] = [];
    for (const s of wanting) {
      const written = s.format === OWN_FORMAT ? body : await formatted(s.appId, s.id, s.format, e);
      if (written === null) continue;
      out.push({
        appId: outside.appId,
        channel: WEBHOOK,
        destination: s.url,
        endpointId: s.id,
        eventType: outside.type,
        body: written,
        idempotencyKey: `webhook:${s.id}:${e.eventId}`,
      });
    }
    return out;
  }

  async function formatted(appId: string, subscriptionId: string, format: string, e: DomainEvent) {
    const formatter = deps.formats?.get(format);
    const endpoint = formatter ? await subscriptions.endpoint(appId, subscriptionId) : null;
    return formatter && endpoint ? formatter(e, endpoint.secret) : null;
  }

  async function robotMessages(m: MessagePayload): Promise<NewDelivery[]> {
    const appRobots = await robots.ofApp(m.appId);
    if (appRobots.size === 0 || m.seq === null) return [];
    const members = await deps.conversations.roster(m.conversationId);
    const hearing = members.flatMap((mem) => (mem.userId !== m.senderId && appRobots.has(mem.userId) ? [appRobots.get(mem.userId)!] : []));
    if (hearing.length === 0) return [];
    const [[group], [sender]] = await Promise.all([
      deps.groups.findManyByConversationIds([m.conversationId]),
      m.senderId ? deps.users.findManyByIds([m.senderId]) : Promise.resolve([null]),
    ]);
    return hearing.map((robot) => ({
      appId: m.appId,
      channel: ROBOT,
      destination: robot.rid,
      endpointId: robot.id,
      eventType: 'message.created',
      body: JSON.stringify(
        robotCallbackBody(m, sender?.username ?? '', group ? { type: 1, target: String(group.groupId) } : { type: 0, target: robot.rid }),
      ),
      idempotencyKey: `robot:${robot.id}:${m.id}`,
    }));
  }

  // An event whose deliveries cannot be written yet (the database is stalled or away) is kept and
  // tried again with backoff: the bus does not repeat it, and its idempotency keys make a repeat
  // harmless. Bounded: beyond MAX_WAITING events or RETRY_FOR_MS an event is given up, loudly.
  let stopping = false;
  const feed = (e: DomainEvent) => {
    if (inFlight.size >= MAX_WAITING) {
      deps.log.error({ event: e.type, eventId: e.eventId }, 'outbox: too many events waiting for the database; this one is dropped');
      return;
    }
    const work = (async () => {
      const started = Date.now();
      for (let attempt = 0; ; attempt++) {
        try {
          const items = [...(await webhooks(e)), ...(e.type === 'message.added' ? await robotMessages(e.message) : [])];
          if (items.length) await deps.enqueue(items);
          return;
        } catch (err) {
          if (stopping || Date.now() - started > RETRY_FOR_MS) throw err;
          if (attempt === 0)
            deps.log.warn({ err, event: e.type, eventId: e.eventId }, 'outbox: an event could not be enqueued yet; retrying');
          await new Promise((r) => setTimeout(r, Math.min(5_000, 250 * 2 ** attempt)));
        }
      }
    })()
      .catch((err: unknown) => deps.log.error({ err, event: e.type, eventId: e.eventId }, 'outbox: an event could not be enqueued'))
      .finally(() => inFlight.delete(work));
    inFlight.add(work);
  };

  const offs = (['message.added', 'message.recalled', 'user.changed', 'membership.changed', 'conversation.updated'] as const).map((t) =>
    deps.events.subscribe(topics.all(t), feed),
  );
  return {
    /** Hears no more events and waits until those heard are enqueued (or fail once more). */
    async stop() {
      stopping = true;
      offs.forEach((off) => off());
      await Promise.allSettled([...inFlight]);
    },
  };
}

import { Types } from 'mongoose';
import type { RequestContext } from '../domain/context';
import { forbidden, invalidInput, notFound } from '../domain/errors';
import type { DeliveryPayload } from '../events/catalog';
import { managedApp, ownedBy } from './access';
import { checkGatewayChannel } from './gateways';
import type { DeliveryDoc } from './model';
import {
  CHANNEL_PATTERN,
  DELIVERY_STATES,
  IM,
  decodeDeliveryCursor,
  encodeDeliveryCursor,
  toDeliveryRecord,
  type DeliveryRecord,
  type DeliveryState,
} from './records';
import type { DeliveryStore, NewDelivery } from './store';

export const MAX_DELIVERY_PAGE = 100;
const MAX_PAYLOAD_CHARS = 65_536;

export interface DeliveryListArgs {
  appId?: string | null;
  states?: DeliveryState[] | null;
  channels?: string[] | null;
  destination?: string | null;
  first?: number | null;
  after?: string | null;
}

/** A message to a person through a channel: a gateway's (SMS, EMAIL, …) or in-app (IM). */
export interface OutboundMessageInput {
  channel: string;
  destination: string;
  /** JSON text handed to the gateway (or shown in the in-app message). */
  payload: string;
  /** Repeating a key returns the first delivery. */
  idempotencyKey?: string | null;
}

export const toDeliveryPayload = (d: DeliveryDoc): DeliveryPayload => {
  const r = toDeliveryRecord(d);
  return {
    id: r.id,
    appId: r.appId,
    channel: r.channel,
    destination: r.destination,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.nextAttemptAt?.getTime() ?? null,
    lastError: r.lastError,
    at: Date.now(),
  };
};

export type OutboxService = ReturnType<typeof createOutboxService>;

/** Enqueueing, listing and replaying deliveries; the worker (worker.ts) does the posting. */
export function createOutboxService(deps: {
  store: DeliveryStore;
  /** The lease of attempt 1 when this process's worker takes new work itself. */
  handOverLease(): number | undefined;
  /** Hands new work to this process's worker and announces it. */
  accepted(docs: DeliveryDoc[]): void;
  /** Makes due work visible now (replay). */
  wake(): void;
}) {
  const { store } = deps;

  async function enqueue(items: NewDelivery[]) {
    const results = await store.enqueue(items, deps.handOverLease());
    const created = results.filter((r) => r.created).map((r) => r.doc);
    if (created.length) deps.accepted(created);
    return results.map((r) => toDeliveryRecord(r.doc));
  }

  async function visible(ctx: RequestContext, id: string): Promise<DeliveryDoc> {
    const doc = await store.findById(id);
    if (!doc) throw notFound('delivery', { field: 'id' });
    ownedBy(ctx, doc.appId.toHexString(), 'delivery');
    return doc;
  }

  return {
    enqueue,

    /** Hands a message to the app's gateway for the channel, or (IM) to the user in the app. */
    async sendOutbound(ctx: RequestContext, appId: string | null | undefined, input: OutboundMessageInput): Promise<DeliveryRecord> {
      const app = managedApp(ctx, appId);
      const channel = input.channel.trim().toUpperCase() === IM ? IM : checkGatewayChannel(input.channel);
      const destination = input.destination.trim();
      if (!destination || destination.length > 320) throw invalidInput('destination must be 1 to 320 characters', 'destination');
      if (input.payload.length > MAX_PAYLOAD_CHARS)
        throw invalidInput(`payload must be at most ${MAX_PAYLOAD_CHARS} characters`, 'payload');
      let payload: unknown;
      try {
        payload = JSON.parse(input.payload);
      } catch {
        throw invalidInput('payload must be JSON text', 'payload');
      }
      const key = input.idempotencyKey?.trim();
      if (key !== undefined && !/^[\x21-\x7e]{1,128}$/.test(key))
        throw invalidInput('idempotencyKey must be 1 to 128 printable ASCII characters', 'idempotencyKey');
      const id = new Types.ObjectId().toHexString();
      const body = JSON.stringify({ channel, destination, payload, appId: app, createdAt: new Date().toISOString() });
      const [record] = await enqueue([
        { appId: app, channel, destination, body, idempotencyKey: key ? `outbound:${app}:${key}` : `outbound:${id}` },
      ]);
      return record!;
    },

    async get(ctx: RequestContext, id: string): Promise<DeliveryRecord> {
      return toDeliveryRecord(await visible(ctx, id));
    },

    /** Newest first, filtered; an app sees its own, the operator names the app or sees all. */
    async list(ctx: RequestContext, args: DeliveryListArgs) {
      const appId = ctx.principal.kind === 'operator' && !args.appId ? undefined : managedApp(ctx, args.appId);
      const first = args.first ?? 20;
      if (!Number.isInteger(first) || first < 1 || first > MAX_DELIVERY_PAGE)
        throw invalidInput(`first must be 1 to ${MAX_DELIVERY_PAGE}`, 'first');
      const before = args.after ? decodeDeliveryCursor(args.after) : undefined;
      if (args.after && !before) throw invalidInput('after is not a cursor of this list', 'after');
      const states = args.states ?? undefined;
      if (states?.some((s) => !DELIVERY_STATES.includes(s))) throw invalidInput('unknown state', 'states');
      const channels = args.channels?.map((c) => c.trim().toUpperCase());
      if (channels?.some((c) => !CHANNEL_PATTERN.test(c))) throw invalidInput('unknown channel', 'channels');
      if (args.destination != null && args.destination.length > 2048) throw invalidInput('destination is too long', 'destination');
      const docs = await store.page({ appId, states, channels, destination: args.destination ?? undefined }, first, before);
      const edges = docs.slice(0, first).map((d) => ({ cursor: encodeDeliveryCursor(d._id.toHexString()), node: toDeliveryRecord(d) }));
      return { edges, hasNextPage: docs.length > first, hasPreviousPage: !!args.after };
    },

    /** Another round of attempts for a dead or delivered delivery (or a failed one, now). */
    async replay(ctx: RequestContext, id: string): Promise<DeliveryRecord> {
      if (ctx.principal.kind !== 'operator' && ctx.principal.kind !== 'app') throw forbidden('replay needs the operator or an app token');
      const doc = await visible(ctx, id);
      if (doc.state === 'sending') throw invalidInput('the delivery is being attempted now', 'id', 'in_flight');
      if (doc.waitingReason) throw invalidInput(`the delivery is waiting: ${doc.waitingReason}`, 'id', 'waiting');
      if (!(await store.replay(doc))) throw invalidInput('the delivery changed meanwhile; try again', 'id', 'changed');
      deps.wake();
      return toDeliveryRecord((await store.findById(id)) ?? doc);
    },

    /** Drops a delivery that is not being attempted (a dead one the operator gave up on); true when it is gone. */
    async discard(ctx: RequestContext, id: string): Promise<boolean> {
      if (ctx.principal.kind !== 'operator' && ctx.principal.kind !== 'app') throw forbidden('discard needs the operator or an app token');
      const doc = await visible(ctx, id);
      if (doc.state === 'sending') throw invalidInput('the delivery is being attempted now', 'id', 'in_flight');
      if (!(await store.discard(doc))) throw invalidInput('the delivery changed meanwhile; try again', 'id', 'changed');
      return true;
    },
  };
}

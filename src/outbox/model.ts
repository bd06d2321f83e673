import { Schema, Types, type Connection, type Model } from 'mongoose';

export const DELIVERY_STATES = ['queued', 'sending', 'delivered', 'failed', 'dead'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface DeliveryDoc {
  _id: Types.ObjectId;
  appId: Types.ObjectId;
  channel: string;
  destination: string;
  /** The webhook subscription or robot this goes to (its URL and secret are read at each attempt). */
  endpointId?: Types.ObjectId;
  eventType?: string;
  body: string;
  state: DeliveryState;
  attempts: number;
  /** Attempts made before the last operator replay: the attempt budget counts from here. */
  budgetFrom?: number;
  /** When it is next due: the retry time, or for `sending` the end of the worker's lease. */
  dueAt: Date;
  waitingReason?: string;
  lastError?: { status?: number; message: string; body?: string };
  /** One delivery per cause: enqueueing the same key again returns the first. */
  idempotencyKey: string;
  deliveredAt?: Date;
  /** The W3C trace of the request that caused it (tracing on): its attempts join that trace. */
  traceparent?: string;
  createdAt: Date;
  updatedAt: Date;
}

const deliverySchema = new Schema<DeliveryDoc>(
  {
    appId: { type: Schema.Types.ObjectId, required: true },
    channel: { type: String, required: true },
    destination: { type: String, required: true },
    endpointId: Schema.Types.ObjectId,
    eventType: String,
    body: { type: String, required: true },
    state: { type: String, enum: DELIVERY_STATES, required: true },
    attempts: { type: Number, required: true },
    budgetFrom: Number,
    dueAt: { type: Date, required: true },
    waitingReason: String,
    lastError: { _id: false, status: Number, message: String, body: String },
    idempotencyKey: { type: String, required: true },
    deliveredAt: Date,
    traceparent: String,
  },
  { timestamps: true, versionKey: false },
);
deliverySchema.index({ idempotencyKey: 1 }, { unique: true });
// The worker's scan for due work, and GraphQL's listing per app.
deliverySchema.index({ state: 1, dueAt: 1 });
deliverySchema.index({ appId: 1, _id: -1 });

/**
 * One row per attempt, `_id` = `<deliveryId>:<attempt>`. Inserting it is how a worker takes an
 * attempt: the unique `_id` lets exactly one worker win, on MongoDB and on FerretDB alike (whose
 * findAndModify is not atomic under concurrency).
 */
export interface DeliveryClaimDoc {
  _id: string;
  worker: string;
  at: Date;
}
const claimSchema = new Schema<DeliveryClaimDoc>(
  { _id: String, worker: { type: String, required: true }, at: { type: Date, required: true } },
  { versionKey: false },
);

/** An app's webhook: where its chosen events are posted, signed with its secret. */
export interface WebhookSubscriptionDoc {
  _id: Types.ObjectId;
  appId: Types.ObjectId;
  url: string;
  sealedSecret: string;
  eventTypes: string[];
  /** Absent: `imfacade` (subscriptions made before formats existed). */
  format?: string;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}
const subscriptionSchema = new Schema<WebhookSubscriptionDoc>(
  {
    appId: { type: Schema.Types.ObjectId, required: true },
    url: { type: String, required: true },
    sealedSecret: { type: String, required: true },
    eventTypes: { type: [String], required: true },
    format: String,
    active: { type: Boolean, required: true },
  },
  { timestamps: true, versionKey: false },
);
subscriptionSchema.index({ appId: 1 });

/** Where an app's messages of one channel (SMS, EMAIL, …) are handed over. */
export interface GatewayDoc {
  _id: Types.ObjectId;
  appId: Types.ObjectId;
  channel: string;
  url: string;
  sealedSecret: string;
  createdAt: Date;
  updatedAt: Date;
}
const gatewaySchema = new Schema<GatewayDoc>(
  {
    appId: { type: Schema.Types.ObjectId, required: true },
    channel: { type: String, required: true },
    url: { type: String, required: true },
    sealedSecret: { type: String, required: true },
  },
  { timestamps: true, versionKey: false },
);
gatewaySchema.index({ appId: 1, channel: 1 }, { unique: true });

export type DeliveryModel = Model<DeliveryDoc>;
export type DeliveryClaimModel = Model<DeliveryClaimDoc>;
export type WebhookSubscriptionModel = Model<WebhookSubscriptionDoc>;
export type GatewayModel = Model<GatewayDoc>;

export function registerOutboxModels(connection: Connection) {
  return {
    deliveries: connection.model<DeliveryDoc>('Delivery', deliverySchema, 'deliveries'),
    claims: connection.model<DeliveryClaimDoc>('DeliveryClaim', claimSchema, 'delivery_claims'),
    subscriptions: connection.model<WebhookSubscriptionDoc>('WebhookSubscription', subscriptionSchema, 'webhook_subscriptions'),
    gateways: connection.model<GatewayDoc>('Gateway', gatewaySchema, 'outbox_gateways'),
  };
}

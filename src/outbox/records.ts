import type { DeliveryDoc } from './model';
import { DELIVERY_STATES, type DeliveryState } from './model';

export { DELIVERY_STATES, type DeliveryState };

/** Channels the outbox posts itself; any other channel name (SMS, EMAIL, FCM, SAT, …) goes to the app's gateway for it. */
export const WEBHOOK = 'WEBHOOK';
export const ROBOT = 'ROBOT';
/** In-app: a system message to the destination user, stored and announced like any message. */
export const IM = 'IM';
/** A channel name: upper-case letters, digits and `_`, as gateways are configured. */
export const CHANNEL_PATTERN = /^[A-Z][A-Z0-9_]{1,15}$/;
export const RESERVED_CHANNELS = [WEBHOOK, ROBOT, IM] as const;

/** Event types an app's webhook subscriptions may ask for (the outside names of domain events). */
export const WEBHOOK_EVENT_TYPES = [
  'message.created',
  'message.recalled',
  'user.created',
  'user.deactivated',
  'user.reactivated',
  'user.deleted',
  'group.changed',
  'membership.changed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/**
 * How a subscription's events are written: the facade's own envelope (`imfacade`), or a callback
 * format an adapter registered (outbox/formats.ts), for the events it has callbacks for.
 */
export type WebhookFormat = string;

export interface DeliveryError {
  /** The receiver's HTTP status, absent when no answer came (timeout, refused, SSRF guard). */
  status: number | null;
  message: string;
  /** The first bytes of the receiver's answer. */
  body: string | null;
}

export interface DeliveryRecord {
  id: string;
  appId: string;
  channel: string;
  destination: string;
  /** The exact JSON text posted (the signature covers it). */
  body: string;
  eventType: string | null;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: Date | null;
  /** Why a queued delivery is not being attempted (no gateway for its channel, …). */
  waitingReason: string | null;
  lastError: DeliveryError | null;
  createdAt: Date;
  updatedAt: Date;
  deliveredAt: Date | null;
}

export const toDeliveryRecord = (d: DeliveryDoc): DeliveryRecord => ({
  id: d._id.toHexString(),
  appId: d.appId.toHexString(),
  channel: d.channel,
  destination: d.destination,
  body: d.body,
  eventType: d.eventType ?? null,
  state: d.state,
  attempts: d.attempts,
  nextAttemptAt: d.state === 'queued' || d.state === 'failed' ? d.dueAt : null,
  waitingReason: d.waitingReason ?? null,
  lastError: d.lastError ? { status: d.lastError.status ?? null, message: d.lastError.message, body: d.lastError.body ?? null } : null,
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
  deliveredAt: d.deliveredAt ?? null,
});

/** Connection cursors: the delivery id, newest first. */
export const encodeDeliveryCursor = (id: string) => Buffer.from(`d:${id}`).toString('base64url');
export function decodeDeliveryCursor(cursor: string): string | undefined {
  const m = /^d:([0-9a-f]{24})$/.exec(Buffer.from(cursor, 'base64url').toString());
  return m?.[1];
}

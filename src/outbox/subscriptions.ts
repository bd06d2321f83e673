import { Types } from 'mongoose';
import type { SecretBox } from '../db/secret-box';
import type { RequestContext } from '../domain/context';
import { invalidInput, notFound } from '../domain/errors';
import { checkDestinationUrl, managedApp, ownedBy, perAppCache } from './access';
import type { WebhookSubscriptionDoc, WebhookSubscriptionModel } from './model';
import { OWN_FORMAT, type FormatRegistry } from './formats';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType, type WebhookFormat } from './records';
import { newEndpointSecret } from './signature';

export const MAX_SUBSCRIPTIONS_PER_APP = 20;

export interface WebhookSubscriptionRecord {
  id: string;
  appId: string;
  url: string;
  eventTypes: WebhookEventType[];
  format: WebhookFormat;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}
/** As created or rotated: the secret in clear text, shown this once. */
export type WebhookSubscriptionWithSecret = WebhookSubscriptionRecord & { secret: string };

export interface SubscriptionInput {
  url?: string | null;
  eventTypes?: string[] | null;
  format?: string | null;
  active?: boolean | null;
  secret?: string | null;
}

const toRecord = (d: WebhookSubscriptionDoc): WebhookSubscriptionRecord => ({
  id: d._id.toHexString(),
  appId: d.appId.toHexString(),
  url: d.url,
  eventTypes: d.eventTypes as WebhookEventType[],
  format: (d.format as WebhookFormat | undefined) ?? OWN_FORMAT,
  active: d.active,
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
});

function checkEventTypes(types: string[]): WebhookEventType[] {
  const unknown = types.filter((t) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(t));
  if (unknown.length)
    throw invalidInput(`unknown event types ${unknown.join(', ')}; known: ${WEBHOOK_EVENT_TYPES.join(', ')}`, 'eventTypes');
  if (types.length === 0) throw invalidInput('give at least one event type', 'eventTypes');
  return [...new Set(types)] as WebhookEventType[];
}

export function checkSecret(secret: string, field = 'secret'): string {
  if (secret.length < 16 || secret.length > 256) throw invalidInput(`${field} must be 16 to 256 characters`, field);
  return secret;
}

export type WebhookSubscriptions = ReturnType<typeof createWebhookSubscriptions>;

/** An app's event subscriptions (the `webhook` channel), kept per app in memory for the event feed. */
export function createWebhookSubscriptions(deps: {
  model: WebhookSubscriptionModel;
  box: SecretBox;
  allowPrivate: boolean;
  formats: Pick<FormatRegistry, 'check'>;
  changed(appId: string): void;
}) {
  const checkFormat = deps.formats.check;
  const { model, box } = deps;
  const cache = perAppCache((appId) => model.find({ appId: new Types.ObjectId(appId) }).lean<WebhookSubscriptionDoc[]>());

  async function owned(ctx: RequestContext, id: string): Promise<WebhookSubscriptionDoc> {
    const doc = Types.ObjectId.isValid(id) && /^[0-9a-f]{24}$/i.test(id) ? await model.findById(id).lean<WebhookSubscriptionDoc>() : null;
    if (!doc) throw notFound('webhook subscription', { field: 'id' });
    ownedBy(ctx, doc.appId.toHexString(), 'webhook subscription');
    return doc;
  }

  return {
    async create(ctx: RequestContext, appId: string | null | undefined, input: SubscriptionInput): Promise<WebhookSubscriptionWithSecret> {
      const app = managedApp(ctx, appId);
      const url = checkDestinationUrl(input.url ?? '', 'url', deps.allowPrivate);
      const eventTypes = checkEventTypes(input.eventTypes ?? []);
      const format = checkFormat(input.format ?? OWN_FORMAT, eventTypes);
      const secret = input.secret ? checkSecret(input.secret) : newEndpointSecret();
      if ((await cache.get(app)).length >= MAX_SUBSCRIPTIONS_PER_APP)
        throw invalidInput(`at most ${MAX_SUBSCRIPTIONS_PER_APP} webhook subscriptions per app`, 'url', 'limit_exceeded');
      const doc = await model.create({
        appId: new Types.ObjectId(app),
        url,
        eventTypes,
        format,
        active: input.active ?? true,
        sealedSecret: box.seal(secret),
      });
      deps.changed(app);
      return { ...toRecord(doc.toObject()), secret };
    },

    async update(ctx: RequestContext, id: string, input: SubscriptionInput): Promise<WebhookSubscriptionRecord> {
      const doc = await owned(ctx, id);
      const $set: Partial<WebhookSubscriptionDoc> = {};
      if (input.url != null) $set.url = checkDestinationUrl(input.url, 'url', deps.allowPrivate);
      if (input.eventTypes != null) $set.eventTypes = checkEventTypes(input.eventTypes);
      if (input.eventTypes != null || input.format != null)
        $set.format = checkFormat(input.format ?? doc.format ?? OWN_FORMAT, ($set.eventTypes ?? doc.eventTypes) as WebhookEventType[]);
      if (input.active != null) $set.active = input.active;
      const updated = await model.findByIdAndUpdate(doc._id, { $set }, { returnDocument: 'after' }).lean<WebhookSubscriptionDoc>();
      deps.changed(doc.appId.toHexString());
      return toRecord(updated ?? doc);
    },

    async rotateSecret(ctx: RequestContext, id: string, secret?: string | null): Promise<WebhookSubscriptionWithSecret> {
      const doc = await owned(ctx, id);
      const plain = secret ? checkSecret(secret) : newEndpointSecret();
      await model.updateOne({ _id: doc._id }, { $set: { sealedSecret: box.seal(plain) } });
      deps.changed(doc.appId.toHexString());
      return { ...toRecord(doc), secret: plain };
    },

    async remove(ctx: RequestContext, id: string): Promise<WebhookSubscriptionRecord> {
      const doc = await owned(ctx, id);
      await model.deleteOne({ _id: doc._id });
      deps.changed(doc.appId.toHexString());
      return toRecord(doc);
    },

    async list(ctx: RequestContext, appId?: string | null): Promise<WebhookSubscriptionRecord[]> {
      return (await cache.get(managedApp(ctx, appId))).map(toRecord);
    },

    /** Active subscriptions of the app that want this event type (cached). */
    async wanting(appId: string, type: WebhookEventType): Promise<WebhookSubscriptionRecord[]> {
      return (await cache.get(appId)).filter((d) => d.active && d.eventTypes.includes(type)).map(toRecord);
    },

    /** URL and secret at attempt time, so a changed URL or rotated secret applies to retries. */
    async endpoint(appId: string, id: string): Promise<{ url: string; secret: string } | null> {
      const doc = (await cache.get(appId)).find((d) => d._id.toHexString() === id);
      return doc ? { url: doc.url, secret: box.open(doc.sealedSecret) } : null;
    },

    forget: cache.forget,
  };
}

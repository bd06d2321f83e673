import { Types } from 'mongoose';
import type { SecretBox } from '../db/secret-box';
import type { RequestContext } from '../domain/context';
import { invalidInput, notFound } from '../domain/errors';
import { checkDestinationUrl, managedApp, perAppCache } from './access';
import type { GatewayDoc, GatewayModel } from './model';
import { CHANNEL_PATTERN, RESERVED_CHANNELS } from './records';
import { newEndpointSecret } from './signature';
import { checkSecret } from './subscriptions';

export interface GatewayRecord {
  id: string;
  appId: string;
  channel: string;
  url: string;
  createdAt: Date;
  updatedAt: Date;
}

const toRecord = (d: GatewayDoc): GatewayRecord => ({
  id: d._id.toHexString(),
  appId: d.appId.toHexString(),
  channel: d.channel,
  url: d.url,
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
});

/** A channel name as the outbox keys it: upper case; the three the outbox serves itself are not gateways. */
export function checkGatewayChannel(channel: string): string {
  const c = channel.trim().toUpperCase();
  if (!CHANNEL_PATTERN.test(c)) throw invalidInput('channel must be 2 to 16 letters, digits or _ (e.g. SMS, EMAIL, FCM, SAT)', 'channel');
  if ((RESERVED_CHANNELS as readonly string[]).includes(c))
    throw invalidInput(`${c} is served by the outbox itself, not a gateway`, 'channel');
  return c;
}

export type Gateways = ReturnType<typeof createGateways>;

/** Per app and channel, the URL that messages to people (SMS, e-mail, push, …) are handed to. */
export function createGateways(deps: {
  model: GatewayModel;
  box: SecretBox;
  allowPrivate: boolean;
  changed(appId: string, channel: string): Promise<void>;
}) {
  const { model, box } = deps;
  const cache = perAppCache((appId) => model.find({ appId: new Types.ObjectId(appId) }).lean<GatewayDoc[]>());

  return {
    /** Creates or replaces the channel's gateway; the secret (given or generated) is shown this once. */
    async set(ctx: RequestContext, appId: string | null | undefined, input: { channel: string; url: string; secret?: string | null }) {
      const app = managedApp(ctx, appId);
      const channel = checkGatewayChannel(input.channel);
      const url = checkDestinationUrl(input.url, 'url', deps.allowPrivate);
      const secret = input.secret ? checkSecret(input.secret) : newEndpointSecret();
      const doc = await model
        .findOneAndUpdate(
          { appId: new Types.ObjectId(app), channel },
          { $set: { url, sealedSecret: box.seal(secret) } },
          { upsert: true, returnDocument: 'after' },
        )
        .lean<GatewayDoc>();
      await deps.changed(app, channel);
      return { ...toRecord(doc!), secret };
    },

    async remove(ctx: RequestContext, appId: string | null | undefined, channel: string): Promise<GatewayRecord> {
      const app = managedApp(ctx, appId);
      const doc = await model
        .findOneAndDelete({ appId: new Types.ObjectId(app), channel: checkGatewayChannel(channel) })
        .lean<GatewayDoc>();
      if (!doc) throw notFound('gateway', { field: 'channel' });
      await deps.changed(app, doc.channel);
      return toRecord(doc);
    },

    async list(ctx: RequestContext, appId?: string | null): Promise<GatewayRecord[]> {
      return (await cache.get(managedApp(ctx, appId))).map(toRecord);
    },

    async endpoint(appId: string, channel: string): Promise<{ url: string; secret: string } | null> {
      const doc = (await cache.get(appId)).find((d) => d.channel === channel);
      return doc ? { url: doc.url, secret: box.open(doc.sealedSecret) } : null;
    },

    forget: cache.forget,
  };
}

import crypto from 'node:crypto';
import { Types } from 'mongoose';
import { LRUCache } from 'lru-cache';
import { isDuplicateKeyError } from '../db/errors';
import type { SecretBox } from '../db/secret-box';
import type { RequestContext } from '../domain/context';
import { conflict, notFound } from '../domain/errors';
import { checkDestinationUrl, managedApp, ownedBy, perAppCache } from '../outbox/access';
import { newEndpointSecret } from '../outbox/signature';
import { checkSecret } from '../outbox/subscriptions';
import type { UserService } from '../users/service';
import type { RobotDoc, RobotModel } from './model';

export interface RobotRecord {
  id: string;
  appId: string;
  userId: string;
  rid: string;
  callbackUrl: string | null;
  createdAt: Date;
  updatedAt: Date;
}
/** As created or rotated: the secret in clear text. */
export type RobotWithSecret = RobotRecord & { secret: string };

const toRecord = (d: RobotDoc): RobotRecord => ({
  id: d._id.toHexString(),
  appId: d.appId.toHexString(),
  userId: d.userId.toHexString(),
  rid: d.rid,
  callbackUrl: d.callbackUrl ?? null,
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
});

export type RobotService = ReturnType<typeof createRobotService>;

export function createRobotService(deps: {
  model: RobotModel;
  users: UserService;
  box: SecretBox;
  allowPrivate: boolean;
  changed(appId: string): Promise<void>;
}) {
  const { model, users, box } = deps;
  const byApp = perAppCache((appId) => model.find({ appId: new Types.ObjectId(appId) }).lean<RobotDoc[]>());
  // Robots by rid, the least recently used dropped past 10,000; any robot change clears it (forget).
  const byRidKey = new LRUCache<string, Promise<RobotDoc | null>>({ max: 10_000 });

  /** By robot id, user id or rid, within the caller's app. */
  async function owned(ctx: RequestContext, ref: string): Promise<RobotDoc> {
    const query = /^[0-9a-f]{24}$/i.test(ref)
      ? { $or: [{ _id: new Types.ObjectId(ref) }, { userId: new Types.ObjectId(ref) }] }
      : { ridKey: ref.toLowerCase() };
    const doc = await model.findOne(query).lean<RobotDoc>();
    if (!doc) throw notFound('robot', { field: 'robot' });
    ownedBy(ctx, doc.appId.toHexString(), 'robot');
    return doc;
  }

  async function update(doc: RobotDoc, $set: Partial<RobotDoc>, $unset?: Record<string, 1>): Promise<RobotDoc> {
    const updated = await model
      .findByIdAndUpdate(doc._id, { $set, ...($unset ? { $unset } : {}) }, { returnDocument: 'after' })
      .lean<RobotDoc>();
    await deps.changed(doc.appId.toHexString());
    return updated ?? doc;
  }

  return {
    /** Makes a user of the app a robot, registering the user first when there is none by that name. */
    async create(
      ctx: RequestContext,
      appId: string | null | undefined,
      input: { username: string; secret?: string | null; callbackUrl?: string | null },
    ): Promise<RobotWithSecret> {
      const app = managedApp(ctx, appId);
      const secret = input.secret ? checkSecret(input.secret) : newEndpointSecret();
      const callbackUrl = input.callbackUrl ? checkDestinationUrl(input.callbackUrl, 'callbackUrl', deps.allowPrivate) : undefined;
      const [existing] = await users.findByUsernames(app, [input.username]);
      const user =
        existing ?? (await users.register(ctx, { username: input.username, password: crypto.randomBytes(24).toString('base64url') }, app));
      try {
        const doc = await model.create({
          appId: new Types.ObjectId(app),
          userId: new Types.ObjectId(user.id),
          rid: user.username,
          ridKey: user.username.toLowerCase(),
          sealedSecret: box.seal(secret),
          callbackUrl,
        });
        await deps.changed(app);
        return { ...toRecord(doc.toObject()), secret };
      } catch (e) {
        if (isDuplicateKeyError(e))
          throw conflict(`robot ${user.username} exists already (robot ids are unique across apps)`, {
            field: 'username',
            reason: 'robot_exists',
          });
        throw e;
      }
    },

    async setCallback(ctx: RequestContext, ref: string, url: string | null | undefined): Promise<RobotRecord> {
      const doc = await owned(ctx, ref);
      if (!url) return toRecord(await update(doc, {}, { callbackUrl: 1 }));
      return toRecord(await update(doc, { callbackUrl: checkDestinationUrl(url, 'callbackUrl', deps.allowPrivate) }));
    },

    /** The robot itself (a user principal that is a robot) sets or (null) removes its callback. */
    async setOwnCallback(ctx: RequestContext, url: string | null): Promise<RobotRecord> {
      const p = ctx.principal;
      const doc = p.kind === 'user' ? await model.findOne({ userId: new Types.ObjectId(p.userId) }).lean<RobotDoc>() : null;
      if (!doc) throw notFound('robot', { field: 'robot' });
      if (!url) return toRecord(await update(doc, {}, { callbackUrl: 1 }));
      return toRecord(await update(doc, { callbackUrl: checkDestinationUrl(url, 'url', deps.allowPrivate) }));
    },

    /** The robot itself (a user principal that is a robot): its callback URL, or null. */
    async ownCallback(ctx: RequestContext): Promise<string | null> {
      const p = ctx.principal;
      const doc = p.kind === 'user' ? (await byApp.get(p.appId)).find((d) => d.userId.toHexString() === p.userId) : undefined;
      if (!doc) throw notFound('robot', { field: 'robot' });
      return doc.callbackUrl ?? null;
    },

    async rotateSecret(ctx: RequestContext, ref: string, secret?: string | null): Promise<RobotWithSecret> {
      const doc = await owned(ctx, ref);
      const plain = secret ? checkSecret(secret) : newEndpointSecret();
      return { ...toRecord(await update(doc, { sealedSecret: box.seal(plain) })), secret: plain };
    },

    async get(ctx: RequestContext, ref: string): Promise<RobotRecord> {
      return toRecord(await owned(ctx, ref));
    },

    async list(ctx: RequestContext, appId?: string | null): Promise<RobotRecord[]> {
      return (await byApp.get(managedApp(ctx, appId))).map(toRecord);
    },

    /** The app's robots by user id (cached): who among a conversation's members hears its messages. */
    async ofApp(appId: string): Promise<Map<string, RobotRecord>> {
      return new Map((await byApp.get(appId)).map((d) => [d.userId.toHexString(), toRecord(d)]));
    },

    /** System (the outbox worker): callback and secret at attempt time; null when the robot is gone. */
    async callback(appId: string, robotId: string): Promise<{ url: string | null; secret: string } | null> {
      const doc = (await byApp.get(appId)).find((d) => d._id.toHexString() === robotId);
      return doc ? { url: doc.callbackUrl ?? null, secret: box.open(doc.sealedSecret) } : null;
    },

    /** A signed call's robot and its secret in clear text, by rid (any app). */
    async byRid(rid: string): Promise<(RobotRecord & { secret: string }) | null> {
      const key = rid.toLowerCase();
      let hit = byRidKey.get(key);
      if (!hit) {
        const loading = Promise.resolve().then(() => model.findOne({ ridKey: key }).lean<RobotDoc>());
        byRidKey.set(key, (hit = loading));
        loading.catch(() => byRidKey.peek(key) === loading && byRidKey.delete(key));
      }
      const doc = await hit;
      return doc ? { ...toRecord(doc), secret: box.open(doc.sealedSecret) } : null;
    },

    forget(appId: string) {
      byApp.forget(appId);
      byRidKey.clear();
    },
  };
}

import { Types } from 'mongoose';
import { randomSecret, sha256 } from '../apps/credentials';
import { isDuplicateKeyError } from '../db/errors';
import type { SecretBox } from '../db/secret-box';
import type { RequestContext } from '../domain/context';
import { DomainError, invalidInput, notFound } from '../domain/errors';
import type { GroupService } from '../groups/service';
import type { RobotService } from '../robots/service';
import type { TokenService } from '../tokens/service';
import type { UserRecord } from '../users/records';
import { requireAppPrincipal } from '../users/access';
import type { UserService } from '../users/service';
import type { WebAccessDoc, WebAccessModels } from './model';

const today = () => new Date().toISOString().slice(0, 10);
/** Seconds from now to the end of `day` (UTC): what a session opened from a link may last. */
const secondsUntilEndOf = (day: string) => Math.max(1, Math.floor((Date.parse(`${day}T23:59:59Z`) - Date.now()) / 1000));

export const isValidDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;

export type WebAccessService = ReturnType<typeof createWebAccess>;

/** Web access links (tokens that open the web chat page) and external users with API keys. */
export function createWebAccess(deps: {
  models: WebAccessModels;
  box: SecretBox;
  users: UserService;
  groups: GroupService;
  robots: RobotService;
  tokens: TokenService;
}) {
  const { links, uses, externals, chats } = deps.models;
  const usable = (d: WebAccessDoc & { used?: number }) => d.dateLimit >= today() && (d.used ?? 0) < d.maxRetries;

  return {
    /**
     * A link for `virtualUser` to chat with the bot `botRid` (a robot of the caller's app). The same
     * user and bot get their usable link back (`previouslyCreated`).
     */
    async issue(ctx: RequestContext, input: { virtualUser: string; botRid: string; maxRetries: number; dateLimit: string }) {
      const appId = requireAppPrincipal(ctx);
      if (!isValidDay(input.dateLimit)) throw invalidInput('date_limit must be a date YYYY-MM-DD', 'date_limit');
      if (input.dateLimit < today()) throw invalidInput('date_limit is in the past', 'date_limit');
      const robot = await deps.robots.byRid(input.botRid);
      if (!robot || robot.appId !== appId) throw notFound('bot', { field: 'bot_idsha' });
      const [user] = await deps.users.ensure(ctx, [{ username: input.virtualUser }], 'virtual_user');
      const prior = (
        await links
          .find({ appId: new Types.ObjectId(appId), userId: new Types.ObjectId(user!.id), botUserId: new Types.ObjectId(robot.userId) })
          .sort({ _id: -1 })
          .limit(5)
          .lean<(WebAccessDoc & { used?: number })[]>()
      ).find(usable);
      if (prior) return { secret: deps.box.open(prior.sealedSecret), link: prior, user: user!, previouslyCreated: true };
      const secret = randomSecret(24);
      const doc = await links.create({
        appId: new Types.ObjectId(appId),
        userId: new Types.ObjectId(user!.id),
        botUserId: new Types.ObjectId(robot.userId),
        secretHash: sha256(secret),
        sealedSecret: deps.box.seal(secret),
        maxRetries: input.maxRetries,
        dateLimit: input.dateLimit,
      });
      return { secret, link: doc.toObject() as WebAccessDoc, user: user!, previouslyCreated: false };
    },

    /**
     * Opening a link spends one retry (claimed by a unique insert, so two openings never share one)
     * and starts a session: a user token lasting until the end of `dateLimit`. After that day, or
     * with the retries spent, the link is refused (FORBIDDEN, reason `expired` / `exhausted`).
     */
    async open(ctx: RequestContext, secret: string) {
      const doc =
        secret.length <= 128 ? await links.findOne({ secretHash: sha256(secret) }).lean<WebAccessDoc & { used?: number }>() : null;
      if (!doc) throw notFound('link', { field: 'token', credentialGuess: true });
      if (doc.dateLimit < today()) throw new DomainError('FORBIDDEN', `this link expired after ${doc.dateLimit}`, { reason: 'expired' });
      let n = (doc.used ?? 0) + 1;
      for (; n <= doc.maxRetries; n++) {
        try {
          await uses.collection.insertOne({ _id: `${doc._id.toHexString()}:${n}`, createdAt: new Date() } as never);
          break;
        } catch (e) {
          if (!isDuplicateKeyError(e)) throw e;
        }
      }
      if (n > doc.maxRetries)
        throw new DomainError('FORBIDDEN', 'this link has been used as many times as it allows', { reason: 'exhausted' });
      await links.updateOne({ _id: doc._id }, { $max: { used: n } });
      const appId = doc.appId.toHexString();
      const [user, bot] = await deps.users.findManyByIds([doc.userId.toHexString(), doc.botUserId.toHexString()]);
      const app = await ctx.loaders.appById.load(appId);
      if (!user || !bot || !app) throw notFound('link', { field: 'token' });
      // The link is the credential (a documented unauthenticated elevation): its user gets a session.
      const session = await deps.tokens.issueSession(app, user, secondsUntilEndOf(doc.dateLimit));
      return { token: session.accessToken, appId, user, bot, remaining: doc.maxRetries - n, dateLimit: doc.dateLimit };
    },

    /** Registers (or finds) the external user `uniqueIdSha`: a new password every time, the same API key. */
    async registerExternal(ctx: RequestContext, uniqueIdSha: string, device: Record<string, string>) {
      const appId = requireAppPrincipal(ctx);
      const [user] = await deps.users.ensure(ctx, [{ username: uniqueIdSha }], 'uniqueIdSha');
      const pass = randomSecret(12);
      await deps.users.changePassword(ctx, { id: user!.id }, { newPassword: pass });
      let ext = await externals.findOne({ userId: new Types.ObjectId(user!.id) }).lean();
      if (ext) return { user: user!, pass, apikey: deps.box.open(ext.sealedApikey), previouslyRegistered: true };
      const apikey = randomSecret(24);
      try {
        await externals.create({
          appId: new Types.ObjectId(appId),
          userId: new Types.ObjectId(user!.id),
          apikeyHash: sha256(apikey),
          sealedApikey: deps.box.seal(apikey),
          device,
        });
        return { user: user!, pass, apikey, previouslyRegistered: false };
      } catch (e) {
        if (!isDuplicateKeyError(e)) throw e;
        ext = await externals.findOne({ userId: new Types.ObjectId(user!.id) }).lean();
        return { user: user!, pass, apikey: deps.box.open(ext!.sealedApikey), previouslyRegistered: true };
      }
    },

    /** A group chat of `me` (its owner) and `others` (usernames); the same member set gets the same chat back. */
    async groupChat(ctx: RequestContext, me: UserRecord, others: string[], name: string | undefined) {
      const members = await deps.users.findManyInApp(
        ctx,
        others.map((username) => ({ username })),
        'contacts',
      );
      const key = `${me.appId}:${[me.id, ...members.map((m) => m.id)].sort().join(',')}`;
      const known = await chats.findById(key).lean();
      if (known) return { conversationId: known.conversationId, previouslyCreated: true };
      const group = await deps.groups.create(ctx, { name: name?.trim() || 'chat', members: members.map((m) => ({ id: m.id })) });
      await chats.create({ _id: key, groupId: group.groupId, conversationId: group.conversationId }).catch((e: unknown) => {
        if (!isDuplicateKeyError(e)) throw e; // made concurrently: both exist; the first one is remembered
      });
      return { conversationId: group.conversationId, previouslyCreated: false };
    },

    /** The external user behind an API key, within the app. */
    async userByApikey(appId: string, apikey: string): Promise<UserRecord | undefined> {
      const ext = apikey.length <= 128 ? await externals.findOne({ apikeyHash: sha256(apikey) }).lean() : null;
      if (!ext || ext.appId.toHexString() !== appId) return undefined;
      const [user] = await deps.users.findManyByIds([ext.userId.toHexString()]);
      return user && user.activated ? user : undefined;
    },
  };
}

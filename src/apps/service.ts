import { findRecordsByIds, isObjectIdHex } from '../db/ids';
import { Types } from 'mongoose';
import type { RequestContext } from '../domain/context';
import { conflict, forbidden, invalidInput, notFound } from '../domain/errors';
import { isDuplicateKeyError } from '../db/errors';
import { nextValue, type CounterModel } from '../counters/counters';
import { createLookupCache } from './lookup-cache';
import { digestSecrets, generateSecrets, matchesDigest, sha256, VENDORS, type Vendor, type VendorSecrets } from './credentials';
import type { AppDoc, AppModel } from './model';

/** What the rest of the domain sees of an app: never a secret or a digest. */
export interface AppRecord {
  id: string;
  name: string;
  openRegistration: boolean;
  easemob: { orgName: string; appName: string; clientId: string };
  gobelieve: { appId: number };
  mcg: { clientId: string; providerId: number };
  createdAt: Date;
  updatedAt: Date;
}

/** Credentials as printed by `app create` / `rotate-secret`: plain secrets appear only here, once. */
export interface AppCredentialSet {
  appId: string;
  name: string;
  easemob: { orgName: string; appName: string; clientId: string; clientSecret: string | null };
  gobelieve: { appId: number; appSecret: string | null };
  imbee: { authToken: string | null; corporateKey: string | null };
  mcg: { clientId: string; clientSecret: string | null; providerId: number };
}

export const toAppRecord = (d: AppDoc): AppRecord => ({
  id: d._id.toHexString(),
  name: d.name,
  openRegistration: d.openRegistration,
  easemob: { orgName: d.easemob.orgName, appName: d.easemob.appName, clientId: d.easemob.clientId },
  gobelieve: { appId: d.gobelieve.appId },
  mcg: { clientId: d.mcg.clientId, providerId: d.mcg.providerId },
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
});

export type AppService = ReturnType<typeof createAppService>;

/** How long an app found by its vendor path is trusted without a lookup (changes are also announced). */
const APP_CACHE_MS = 30_000;

export function createAppService(deps: { apps: AppModel; counters: CounterModel; easemobOrgName: string; onChanged(appId: string): void }) {
  const { apps, counters } = deps;
  type WithDigest = { app: AppRecord; digest: string };
  const byEasemobPath = createLookupCache<string, { app: AppRecord }>(APP_CACHE_MS);
  const byGobelieveId = createLookupCache<number, WithDigest>(APP_CACHE_MS);
  const byMcgClient = createLookupCache<string, WithDigest>(APP_CACHE_MS);
  const byImbeeAuth = createLookupCache<string, WithDigest>(APP_CACHE_MS);
  const found = (d: AppDoc | null, digest: (d: AppDoc) => string) => (d ? { app: toAppRecord(d), digest: digest(d) } : undefined);

  const requireOperator = (ctx: RequestContext) => {
    if (ctx.principal.kind !== 'operator') throw forbidden('only the operator manages apps');
  };

  const credentials = (d: AppDoc, s: VendorSecrets): AppCredentialSet => ({
    appId: d._id.toHexString(),
    name: d.name,
    easemob: { ...toAppRecord(d).easemob, clientSecret: s.easemob?.clientSecret ?? null },
    gobelieve: { appId: d.gobelieve.appId, appSecret: s.gobelieve?.appSecret ?? null },
    imbee: { authToken: s.imbee?.authToken ?? null, corporateKey: s.imbee?.corporateKey ?? null },
    mcg: { clientId: d.mcg.clientId, providerId: d.mcg.providerId, clientSecret: s.mcg?.clientSecret ?? null },
  });

  async function findDoc(id: string): Promise<AppDoc | null> {
    return isObjectIdHex(id) ? apps.findById(id).lean<AppDoc>() : null;
  }

  const service = {
    async create(ctx: RequestContext, input: { name: string; openRegistration?: boolean }): Promise<AppCredentialSet> {
      requireOperator(ctx);
      const name = input.name.trim();
      if (name.length < 1 || name.length > 64) throw invalidInput('name must be 1 to 64 characters', 'name');
      // Easemob app names are lowercase alphanumeric (the AppKey is org#app).
      const appName = name
        .toLowerCase()
        .replace(/[^a-z0-9]/g, '')
        .slice(0, 32);
      if (!appName) throw invalidInput('name must contain at least one letter or digit', 'name');
      if (await apps.exists({ nameKey: name.toLowerCase() })) throw conflict(`an app named "${name}" exists`, { field: 'name' });
      const secrets = generateSecrets(VENDORS);
      for (let attempt = 0; ; attempt++) {
        const doc = {
          _id: new Types.ObjectId(),
          name,
          nameKey: name.toLowerCase(),
          openRegistration: input.openRegistration ?? false,
          easemob: { orgName: deps.easemobOrgName, appName },
          gobelieve: { appId: await nextValue(counters, 'app.gobelieveAppId', 1001) },
          mcg: { providerId: await nextValue(counters, 'app.mcgProviderId', 1) },
        };
        const flat = digestSecrets(secrets);
        for (const [path, value] of Object.entries(flat)) setPath(doc, path, value);
        try {
          const created = await apps.create(doc);
          return credentials(created.toObject() as AppDoc, secrets);
        } catch (e) {
          if (!isDuplicateKeyError(e)) throw e;
          // Unless the name is now taken, a counter value was handed out twice (FerretDB's
          // findAndModify is not atomic, and its error does not name the index): draw again.
          const taken = await apps.exists({
            $or: [{ nameKey: doc.nameKey }, { 'easemob.orgName': deps.easemobOrgName, 'easemob.appName': appName }],
          });
          if (!taken && attempt < 20) continue;
          throw conflict(`an app named "${name}" (or Easemob app "${appName}") exists`, { field: 'name' });
        }
      }
    },

    async list(ctx: RequestContext): Promise<AppRecord[]> {
      requireOperator(ctx);
      return (await apps.find().sort({ _id: 1 }).lean<AppDoc[]>()).map(toAppRecord);
    },

    async count(): Promise<number> {
      return apps.estimatedDocumentCount();
    },

    /** The operator sees any app; an app or user principal only its own (others are not found). */
    async get(ctx: RequestContext, id: string): Promise<AppRecord> {
      const p = ctx.principal;
      if (p.kind !== 'operator' && !((p.kind === 'app' || p.kind === 'user') && p.appId === id)) throw notFound('app');
      const app = await ctx.loaders.appById.load(id);
      if (!app) throw notFound('app');
      return app;
    },

    async rotateSecrets(ctx: RequestContext, id: string, vendors: Vendor[] = VENDORS): Promise<AppCredentialSet> {
      requireOperator(ctx);
      const current = await findDoc(id);
      if (!current) throw notFound('app');
      // Client ids stay stable so integrations only swap the secret.
      const secrets = generateSecrets(vendors, { easemob: current.easemob.clientId, mcg: current.mcg.clientId });
      const updated = await apps.findByIdAndUpdate(id, { $set: digestSecrets(secrets) }, { returnDocument: 'after' }).lean<AppDoc>();
      if (!updated) throw notFound('app');
      return credentials(updated, secrets);
    },

    async updateSettings(ctx: RequestContext, id: string, patch: { openRegistration?: boolean | null }): Promise<AppRecord> {
      const p = ctx.principal;
      if (p.kind !== 'operator' && !(p.kind === 'app' && p.appId === id)) {
        throw p.kind === 'user' && p.appId === id ? forbidden('users cannot change app settings') : notFound('app');
      }
      const set: Partial<AppDoc> = {};
      if (patch.openRegistration !== undefined && patch.openRegistration !== null) set.openRegistration = patch.openRegistration;
      const updated = await apps.findByIdAndUpdate(id, { $set: set }, { returnDocument: 'after' }).lean<AppDoc>();
      if (!updated) throw notFound('app');
      ctx.loaders.appById.clear(id);
      deps.onChanged(id);
      return toAppRecord(updated);
    },

    /** The app behind an Easemob `/{org_name}/{app_name}` path (org and app names ignore case). */
    async findByEasemobPath(orgName: string, appName: string): Promise<AppRecord | undefined> {
      const [org, name] = [orgName.toLowerCase(), appName.toLowerCase()];
      const hit = await byEasemobPath.get(`${org}/${name}`, async () => {
        const d = await apps.findOne({ 'easemob.orgName': org, 'easemob.appName': name }).lean<AppDoc>();
        return d ? { app: toAppRecord(d) } : undefined;
      });
      return hit?.app;
    },

    /** The app with GoBelieve integer `appid` and the digest of its md5(appsecret). */
    findByGobelieveAppId(appid: number): Promise<{ app: AppRecord; md5Digest: string } | undefined> {
      return byGobelieveId
        .get(appid, async () =>
          found(
            Number.isSafeInteger(appid) ? await apps.findOne({ 'gobelieve.appId': appid }).lean<AppDoc>() : null,
            (d) => d.gobelieve.appSecretMd5Hash,
          ),
        )
        .then((f) => f && { app: f.app, md5Digest: f.digest });
    },

    /** GoBelieve server credentials: `appid` and hex md5(appsecret), compared in constant time with the stored digest. */
    async verifyGobelieve(appid: number, md5Hex: string): Promise<AppRecord | undefined> {
      const f = await service.findByGobelieveAppId(appid);
      return f && matchesDigest(md5Hex.toLowerCase(), f.md5Digest) ? f.app : undefined;
    },

    /** Drops an app from this process's lookup caches (the `app.changed` event). */
    forget(appId: string) {
      for (const cache of [byEasemobPath, byGobelieveId, byMcgClient, byImbeeAuth]) cache.forget(appId);
    },

    /** The app whose Imbee `myAuth` this is; with `corporateKey`, that must match too. */
    async verifyImbee(authToken: string, corporateKey?: string): Promise<AppRecord | undefined> {
      const key = sha256(authToken);
      const f = await byImbeeAuth.get(key, async () =>
        found(
          authToken.length <= 256 ? await apps.findOne({ 'imbee.authTokenHash': key }).lean<AppDoc>() : null,
          (d) => d.imbee.corporateKeyHash,
        ),
      );
      return f && (corporateKey === undefined || matchesDigest(corporateKey, f.digest)) ? f.app : undefined;
    },

    /** Checks MCG provider client credentials (every tokeninfo call names them). */
    async verifyMcgClient(clientId: string, clientSecret: string): Promise<AppRecord | undefined> {
      const f = await byMcgClient.get(clientId, async () =>
        found(
          clientId.length <= 128 ? await apps.findOne({ 'mcg.clientId': clientId }).lean<AppDoc>() : null,
          (d) => d.mcg.clientSecretHash,
        ),
      );
      return f && matchesDigest(clientSecret, f.digest) ? f.app : undefined;
    },

    /** Checks Easemob client credentials; undefined when they do not match any app. */
    async verifyEasemobClient(clientId: string, clientSecret: string): Promise<AppRecord | undefined> {
      const d = await apps.findOne({ 'easemob.clientId': clientId }).lean<AppDoc>();
      return d && matchesDigest(clientSecret, d.easemob.clientSecretHash) ? toAppRecord(d) : undefined;
    },

    findManyByIds: (ids: readonly string[]) => findRecordsByIds(apps, ids, toAppRecord),
  };
  return service;
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown) {
  const keys = dotted.split('.');
  let node = target;
  for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
  node[keys[keys.length - 1]!] = value;
}

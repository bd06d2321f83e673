import { Types } from 'mongoose';
import { insertNumbered, type CounterModel } from '../counters/counters';
import type { RequestContext } from '../domain/context';
import { invalidInput, notFound } from '../domain/errors';
import { checkText } from '../domain/validators';
import { managedApp, perAppCache } from '../outbox/access';
import type { UserRecord } from '../users/records';
import type { UserRef, UserService } from '../users/service';
import type { StoreDoc, StoreModel } from './model';

export interface StoreRecord {
  id: string;
  appId: string;
  storeId: number;
  name: string;
  supporterId: string;
  createdAt: Date;
}

const toRecord = (d: StoreDoc): StoreRecord => ({
  id: d._id.toHexString(),
  appId: d.appId.toHexString(),
  storeId: d.storeId,
  name: d.name,
  supporterId: d.supporterId.toHexString(),
  createdAt: d.createdAt,
});

export const MAX_STORES_PER_APP = 1_000;

export type StoreService = ReturnType<typeof createStoreService>;

/** Customer-service desks: an integer id per app, a name and the user who answers customers. */
export function createStoreService(deps: {
  model: StoreModel;
  counters: CounterModel;
  users: UserService;
  /** Told after a store is created, so every instance drops its cache (app.changed). */
  changed(appId: string): void;
}) {
  const { model, users } = deps;
  // Few per app and read on every customer call: cached, dropped when one is created.
  const byApp = perAppCache((appId) =>
    model
      .find({ appId: new Types.ObjectId(appId) })
      .sort({ storeId: 1 })
      .lean<StoreDoc[]>(),
  );

  return {
    /** Creates a store answered by an existing user of the app. App principals or the operator. */
    async create(ctx: RequestContext, appId: string | null | undefined, input: { name: string; supporter: UserRef }) {
      const app = managedApp(ctx, appId);
      const name = checkText(input.name.trim(), 128, 'name');
      if (!name) throw invalidInput('name is required', 'name');
      const [supporter] = input.supporter.username
        ? await users.findByUsernames(app, [input.supporter.username])
        : await users.findManyByIds([input.supporter.id ?? '']);
      if (!supporter || supporter.appId !== app || supporter.customer) throw notFound('user', { field: 'supporter' });
      if ((await byApp.get(app)).length >= MAX_STORES_PER_APP)
        throw invalidInput(`at most ${MAX_STORES_PER_APP} stores per app`, 'name', 'limit_exceeded');
      const doc = await insertNumbered(deps.counters, `store:${app}`, (storeId) =>
        model.create({ appId: new Types.ObjectId(app), storeId, name, supporterId: new Types.ObjectId(supporter.id) }),
      );
      byApp.forget(app);
      deps.changed(app);
      return { store: toRecord(doc.toObject()), supporter };
    },

    async list(ctx: RequestContext, appId?: string | null): Promise<StoreRecord[]> {
      return (await byApp.get(managedApp(ctx, appId))).map(toRecord);
    },

    /** A store of the app by id, or (no id) its first store; with its supporter. */
    async find(appId: string, storeId?: number | null): Promise<{ store: StoreRecord; supporter: UserRecord }> {
      const pick = (stores: StoreDoc[]) => (storeId == null ? stores[0] : stores.find((s) => s.storeId === storeId));
      let doc = pick(await byApp.get(appId));
      if (!doc) {
        // Created by another process (the CLI, another instance) since this one cached the list: read again once.
        byApp.forget(appId);
        doc = pick(await byApp.get(appId));
      }
      if (!doc) throw notFound('store', { field: 'store_id' });
      const [supporter] = await users.findManyByIds([doc.supporterId.toHexString()]);
      if (!supporter) throw notFound('store', { field: 'store_id' });
      return { store: toRecord(doc), supporter };
    },

    forget: byApp.forget,
  };
}

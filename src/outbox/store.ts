import { outcomeWrites, type AttemptOutcome } from './outcomes';
import { Types } from 'mongoose';
import { inChunks, writeBatch } from '../db/batches';
import { isDuplicateKeyError } from '../db/errors';
import { currentTraceparent } from '../observability/tracing';
import type { DeliveryClaimModel, DeliveryDoc, DeliveryModel } from './model';
import type { DeliveryState } from './records';

/** What a cause (an event, a robot message, a vendor call) asks the outbox to deliver. */
export interface NewDelivery {
  appId: string;
  channel: string;
  destination: string;
  endpointId?: string;
  eventType?: string;
  /** JSON text, posted as is. */
  body: string;
  idempotencyKey: string;
  /** Set when it cannot be attempted yet (a channel without a gateway). */
  waitingReason?: string;
  dueAt?: Date;
}

export type { AttemptOutcome } from './outcomes';

export interface DeliveryFilter {
  appId?: string;
  states?: DeliveryState[];
  channels?: string[];
  destination?: string;
}

/** The driver would store an undefined field as null, which `$exists` counts as present. */
const withoutUndefined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export type DeliveryStore = ReturnType<typeof createDeliveryStore>;
/** A claim row this old whose delivery never moved on is a claimer's that failed or died. */
export const STALE_CLAIM_MS = 60_000;

export function createDeliveryStore(deliveries: DeliveryModel, claims: DeliveryClaimModel) {
  return {
    /**
     * Inserts what is new; an idempotency key seen before yields the stored delivery instead. One
     * command when nothing repeats. With `leaseMs`, the inserting process keeps attempt 1 for itself
     * (the unique insert makes that exclusive): stored `sending`, due again only when the lease ends.
     */
    async enqueue(items: NewDelivery[], leaseMs?: number): Promise<{ doc: DeliveryDoc; created: boolean }[]> {
      const now = new Date();
      const traceparent = currentTraceparent();
      const owned = (i: NewDelivery) => leaseMs !== undefined && !i.waitingReason && !i.dueAt;
      const docs = items.map((i): DeliveryDoc =>
        withoutUndefined({
          _id: new Types.ObjectId(),
          appId: new Types.ObjectId(i.appId),
          channel: i.channel,
          destination: i.destination,
          endpointId: i.endpointId ? new Types.ObjectId(i.endpointId) : undefined,
          eventType: i.eventType,
          body: i.body,
          state: owned(i) ? 'sending' : 'queued',
          attempts: owned(i) ? 1 : 0,
          dueAt: owned(i) ? new Date(now.getTime() + leaseMs!) : (i.dueAt ?? now),
          waitingReason: i.waitingReason,
          idempotencyKey: i.idempotencyKey,
          traceparent,
          createdAt: now,
          updatedAt: now,
        }),
      );
      if (docs.length === 0) return [];
      const failed = new Set<number>();
      await inChunks(docs, async (chunk, offset) => {
        for (const i of await insertSkippingDuplicates(deliveries.collection, chunk)) failed.add(offset + i);
      });
      const repeats = docs.filter((_, i) => failed.has(i)).map((d) => d.idempotencyKey);
      const prior = repeats.length
        ? new Map((await deliveries.find({ idempotencyKey: { $in: repeats } }).lean<DeliveryDoc[]>()).map((d) => [d.idempotencyKey, d]))
        : new Map<string, DeliveryDoc>();
      return docs.map((doc, i) => (failed.has(i) ? { doc: prior.get(doc.idempotencyKey) ?? doc, created: false } : { doc, created: true }));
    },

    /** Due work: queued or failed ones whose time has come, and `sending` ones whose worker's lease ran out (it crashed). */
    findDue(limit: number): Promise<DeliveryDoc[]> {
      return deliveries
        .find({ state: { $in: ['queued', 'failed', 'sending'] }, dueAt: { $lte: new Date() }, waitingReason: { $exists: false } })
        .sort({ dueAt: 1 })
        .limit(limit)
        .lean<DeliveryDoc[]>();
    },

    /**
     * Takes attempt `attempts + 1` of each: one insert per attempt against the unique claim id,
     * in one command. Returns the ones this worker won; any other worker racing for the same attempt loses.
     */
    async claim(docs: DeliveryDoc[], worker: string, leaseMs: number): Promise<DeliveryDoc[]> {
      if (docs.length === 0) return [];
      const at = new Date();
      const rows = docs.map((d) => ({ _id: `${d._id.toHexString()}:${d.attempts + 1}`, worker, at }));
      const lost = new Set<number>();
      await inChunks(rows, async (chunk, offset) => {
        for (const i of await insertSkippingDuplicates(claims.collection, chunk)) lost.add(offset + i);
      });
      // A claim row whose delivery never moved to its attempt is left by a claimer whose update
      // failed (a stalled database) or that died in between: once older than a lease it is
      // released, so the next scan can take that attempt (else the delivery would be stuck forever).
      const stale = new Date(at.getTime() - Math.max(leaseMs, STALE_CLAIM_MS));
      await inChunks(
        rows.filter((_, i) => lost.has(i)).map((r) => r._id),
        (ids) => claims.deleteMany({ _id: { $in: ids }, at: { $lt: stale } }),
      ).catch(() => undefined);
      const won = docs.filter((_, i) => !lost.has(i));
      if (won.length === 0) return won;
      const wonRows = rows.filter((_, i) => !lost.has(i)).map((r) => r._id);
      const dueAt = new Date(at.getTime() + leaseMs);
      // Visible as `sending`, and not due again before the lease ends; guarded by the attempt it replaces.
      // One updateOne by _id per document: on FerretDB 1.x an `_id: {$in: [...]}` update scans far slower.
      await inChunks(won, (chunk) =>
        deliveries.bulkWrite(
          chunk.map((d) => ({
            updateOne: {
              filter: { _id: d._id, attempts: d.attempts },
              update: { $set: { state: 'sending' as const, attempts: d.attempts + 1, dueAt, updatedAt: at } },
            },
          })),
          { ordered: false },
        ),
      ).catch(async (e: unknown) => {
        // Not taken after all: give the attempts back now (best effort; else they are released as stale).
        await inChunks(wonRows, (chunk) => claims.deleteMany({ _id: { $in: chunk } })).catch(() => undefined);
        throw e;
      });
      return won.map((d) => ({ ...d, state: 'sending' as const, attempts: d.attempts + 1, dueAt }));
    },

    /**
     * Writes attempts' outcomes, a write batch per command (DB_WRITE_BATCH: an unbounded outcome
     * batch once wedged FerretDB); an outcome for an attempt that was since superseded changes nothing.
     */
    async record(outcomes: AttemptOutcome[]): Promise<void> {
      const now = new Date();
      await inChunks(outcomes, (chunk) => deliveries.bulkWrite(outcomeWrites(chunk, now), { ordered: false }));
    },

    findById(id: string): Promise<DeliveryDoc | null> {
      return Types.ObjectId.isValid(id) && /^[0-9a-f]{24}$/i.test(id) ? deliveries.findById(id).lean<DeliveryDoc>() : Promise.resolve(null);
    },

    /** Newest first, `limit + 1` so the caller can tell whether more follow. */
    page(filter: DeliveryFilter, limit: number, beforeId?: string): Promise<DeliveryDoc[]> {
      const q: Record<string, unknown> = {};
      if (filter.appId) q.appId = new Types.ObjectId(filter.appId);
      if (filter.states?.length) q.state = { $in: filter.states };
      if (filter.channels?.length) q.channel = { $in: filter.channels };
      if (filter.destination) q.destination = filter.destination;
      if (beforeId) q._id = { $lt: new Types.ObjectId(beforeId) };
      return deliveries
        .find(q)
        .sort({ _id: -1 })
        .limit(limit + 1)
        .lean<DeliveryDoc[]>();
    },

    /** Due again now with a fresh attempt budget (operator replay); false when it changed meanwhile or is in flight. */
    async replay(doc: DeliveryDoc): Promise<boolean> {
      const r = await deliveries.updateOne(
        { _id: doc._id, attempts: doc.attempts, state: { $ne: 'sending' } },
        { $set: { state: 'queued', dueAt: new Date(), budgetFrom: doc.attempts, updatedAt: new Date() }, $unset: { waitingReason: 1 } },
      );
      return r.matchedCount === 1;
    },

    /** Deletes it unless it changed (or is being attempted) since it was read. */
    async discard(doc: DeliveryDoc): Promise<boolean> {
      const r = await deliveries.deleteOne({ _id: doc._id, attempts: doc.attempts, state: { $ne: 'sending' } });
      return r.deletedCount === 1;
    },

    /** A gateway appeared for the channel: what waited for it is due now. */
    async wakeWaiting(appId: string, channel: string): Promise<void> {
      // A batch at a time: how many waited is not known in advance.
      for (let i = 0; i < 10_000; i++) {
        const ids = await deliveries
          .find({ appId: new Types.ObjectId(appId), channel, waitingReason: { $exists: true } }, { _id: 1 })
          .limit(writeBatch())
          .lean<{ _id: Types.ObjectId }[]>();
        if (ids.length === 0) return;
        await deliveries.bulkWrite(
          ids.map(({ _id }) => ({
            updateOne: { filter: { _id }, update: { $set: { state: 'queued' as const, dueAt: new Date() }, $unset: { waitingReason: 1 } } },
          })),
          { ordered: false },
        );
        if (ids.length < writeBatch()) return;
      }
    },

    /**
     * Parks deliveries that cannot be attempted (no gateway, no callback), with the reason shown to
     * the app. No attempt is used: one taken at enqueueing (`owned`) is given back.
     */
    async setWaiting(items: { doc: DeliveryDoc; reason: string; owned: boolean }[]): Promise<void> {
      await inChunks(items, (chunk) =>
        deliveries.bulkWrite(
          chunk.map(({ doc, reason, owned }) => ({
            updateOne: {
              filter: { _id: doc._id, attempts: doc.attempts },
              update: {
                $set: { state: 'queued' as const, waitingReason: reason, attempts: doc.attempts - (owned ? 1 : 0), updatedAt: new Date() },
              },
            },
          })),
          { ordered: false },
        ),
      );
    },
  };
}

/** Inserts unordered; returns the indexes (within `docs`) that already existed (duplicate key), throws on anything else. */
async function insertSkippingDuplicates(
  collection: { insertMany(docs: never[], o: object): Promise<unknown> },
  docs: object[],
): Promise<number[]> {
  try {
    await collection.insertMany(docs as never[], { ordered: false });
    return [];
  } catch (e) {
    const errors = (e as { writeErrors?: { index: number; code?: number }[] }).writeErrors;
    if (!errors || !isDuplicateKeyError(e) || errors.some((w) => w.code !== 11000)) throw e;
    return errors.map((w) => w.index);
  }
}

import type { Types } from 'mongoose';
import type { DeliveryDoc, DeliveryState } from './model';

/** An attempt's result, written only by the worker that claimed that attempt. */
export interface AttemptOutcome {
  id: Types.ObjectId;
  attempt: number;
  state: Extract<DeliveryState, 'delivered' | 'failed' | 'dead'>;
  dueAt: Date;
  lastError?: DeliveryDoc['lastError'];
}

/**
 * One batch of outcomes as update operations (one command). The deliveries delivered at the same
 * attempt number get the same update, so they share one updateMany: on FerretDB 1.x an update
 * filtered on more than `_id` scans the collection, once per operation, and under steady webhook
 * traffic one scan per outcome fell a minute behind. The others are one operation each.
 */
export function outcomeWrites(outcomes: readonly AttemptOutcome[], now: Date) {
  const delivered = new Map<number, Types.ObjectId[]>();
  const others: AttemptOutcome[] = [];
  for (const o of outcomes) {
    if (o.state !== 'delivered') others.push(o);
    else if (delivered.has(o.attempt)) delivered.get(o.attempt)!.push(o.id);
    else delivered.set(o.attempt, [o.id]);
  }
  return [
    ...[...delivered].map(([attempts, ids]) => ({
      updateMany: {
        filter: { _id: { $in: ids }, attempts },
        update: { $set: { state: 'delivered' as const, dueAt: now, updatedAt: now, deliveredAt: now } },
      },
    })),
    ...others.map((o) => ({
      updateOne: {
        filter: { _id: o.id, attempts: o.attempt },
        update: { $set: { state: o.state, dueAt: o.dueAt, updatedAt: now, ...(o.lastError ? { lastError: o.lastError } : {}) } },
      },
    })),
  ];
}

import { destinationKind, type OutboxBacklog } from '../observability/outbox';
import type { DeliveryModel } from './model';

/**
 * The outbox's backlog for the metrics: deliveries not yet delivered, by channel and state, and the
 * oldest pending one per kind. One aggregate command (the metrics cache it for a few seconds);
 * delivered ones are left out, so the count stays small however long the history is.
 */
export async function readBacklog(deliveries: DeliveryModel, now = Date.now()): Promise<OutboxBacklog> {
  const rows = await deliveries.aggregate<{ _id: { state: string; channel: string }; n: number; oldest: Date }>([
    { $match: { state: { $in: ['queued', 'sending', 'failed', 'dead'] } } },
    { $group: { _id: { state: '$state', channel: '$channel' }, n: { $sum: 1 }, oldest: { $min: '$createdAt' } } },
  ]);
  const counts = new Map<string, { kind: string; state: string; n: number }>();
  const oldestPendingSeconds: Record<string, number> = {};
  for (const r of rows) {
    const kind = destinationKind(r._id.channel);
    const key = `${kind}|${r._id.state}`;
    const entry = counts.get(key) ?? { kind, state: r._id.state, n: 0 };
    entry.n += r.n;
    counts.set(key, entry);
    if (r._id.state !== 'dead') {
      const age = Math.max(0, (now - new Date(r.oldest).getTime()) / 1000);
      oldestPendingSeconds[kind] = Math.max(oldestPendingSeconds[kind] ?? 0, age);
    }
  }
  return { counts: [...counts.values()], oldestPendingSeconds };
}

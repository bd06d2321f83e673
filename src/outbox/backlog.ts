import { destinationKind, type OutboxBacklog } from '../observability/outbox';
import type { DeliveryDoc, DeliveryModel, DeliveryState } from './model';

const OWN_CHANNELS: Record<string, string> = { webhook: 'WEBHOOK', robot: 'ROBOT', im: 'IM' };
const PENDING: DeliveryState[] = ['queued', 'sending', 'failed'];

/**
 * The outbox's backlog for the metrics: deliveries not yet delivered, by channel and state (one
 * aggregate; delivered ones are left out, so it stays small however long the history is), and
 * the oldest pending one of each kind that has any (one find each: FerretDB 1.x has no `$min`
 * accumulator). The metrics cache the answer for a few seconds.
 */
export async function readBacklog(deliveries: DeliveryModel, now = Date.now()): Promise<OutboxBacklog> {
  const rows = await deliveries.aggregate<{ _id: { state: string; channel: string }; n: number }>([
    { $match: { state: { $in: [...PENDING, 'dead'] } } },
    { $group: { _id: { state: '$state', channel: '$channel' }, n: { $sum: 1 } } },
  ]);
  const counts = new Map<string, { kind: string; state: string; n: number }>();
  const pendingKinds = new Set<string>();
  for (const r of rows) {
    const kind = destinationKind(r._id.channel);
    const key = `${kind}|${r._id.state}`;
    const entry = counts.get(key) ?? { kind, state: r._id.state, n: 0 };
    entry.n += r.n;
    counts.set(key, entry);
    if (r._id.state !== 'dead') pendingKinds.add(kind);
  }
  const oldestPendingSeconds: Record<string, number> = {};
  for (const kind of pendingKinds) {
    const channel = OWN_CHANNELS[kind] ?? { $nin: Object.values(OWN_CHANNELS) };
    const oldest = await deliveries
      .findOne({ state: { $in: PENDING }, channel }, { createdAt: 1 })
      .sort({ createdAt: 1 })
      .lean<Pick<DeliveryDoc, 'createdAt'>>();
    if (oldest) oldestPendingSeconds[kind] = Math.max(0, (now - new Date(oldest.createdAt).getTime()) / 1000);
  }
  return { counts: [...counts.values()], oldestPendingSeconds };
}

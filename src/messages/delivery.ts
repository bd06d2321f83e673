import type { ConversationService } from '../conversations/service';
import type { MessageRecord } from './records';

/**
 * Records what reached users' sockets as delivered. Process-wide and coalesced: every `intervalMs`
 * one write per conversation and distinct seq, whatever the number of subscribers (a room of
 * 1,000 members costs a handful of writes a flush, not 1,000).
 */
export interface DeliveryRecorder {
  record(userId: string, m: MessageRecord): void;
  /** Writes what is pending now (also on shutdown). */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export function createDeliveryRecorder(conversations: Pick<ConversationService, 'markDelivered'>, intervalMs = 100): DeliveryRecorder {
  // conversationId → userId → highest seq delivered
  let pending = new Map<string, Map<string, number>>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function flush() {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = new Map();
    const writes: Promise<void>[] = [];
    for (const [conversationId, users] of batch) {
      const bySeq = new Map<number, string[]>();
      for (const [userId, seq] of users) bySeq.set(seq, [...(bySeq.get(seq) ?? []), userId]);
      for (const [seq, userIds] of bySeq) writes.push(conversations.markDelivered(conversationId, userIds, seq).catch(() => undefined));
    }
    await Promise.all(writes);
  }

  return {
    record(userId, m) {
      if (stopped || m.seq == null || m.senderId === userId) return;
      let users = pending.get(m.conversationId);
      if (!users) pending.set(m.conversationId, (users = new Map()));
      users.set(userId, Math.max(users.get(userId) ?? 0, m.seq));
      timer ??= setTimeout(() => void flush(), intervalMs);
      timer.unref?.();
    },
    flush,
    async stop() {
      stopped = true;
      await flush();
    },
  };
}

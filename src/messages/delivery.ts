import type { ConversationService } from '../conversations/service';
import type { MessageRecord } from './records';

/**
 * Records what reached users' sockets as delivered. Process-wide and coalesced: every `intervalMs`
 * one write per conversation and distinct seq, whatever the number of subscribers (a room of
 * 1,000 members costs a handful of writes a flush, not 1,000). A crash loses at most one interval
 * of cursors: those messages count as undelivered and are delivered again (at least once).
 * A conversation with more than `maxUsersPerWrite` recipients in one flush (a large room) is not
 * recorded: rewriting that many memberships per flush would cost more than the messages
 * themselves; there, delivered means read (markRead moves both cursors).
 */
export interface DeliveryRecorder {
  record(userId: string, m: MessageRecord): void;
  /** Writes what is pending now (also on shutdown). */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export function createDeliveryRecorder(
  conversations: Pick<ConversationService, 'markDelivered'>,
  intervalMs = 1000,
  maxUsersPerWrite = 200,
): DeliveryRecorder {
  // conversationId → userId → highest seq delivered
  let pending = new Map<string, Map<string, number>>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<void> | undefined;

  // One flush at a time: while the database is slow, cursors accumulate instead of piling up writes.
  async function flush() {
    if (timer) clearTimeout(timer);
    timer = undefined;
    while (running) await running;
    running = write().finally(() => (running = undefined));
    return running;
  }

  async function write() {
    const batch = pending;
    pending = new Map();
    const writes: Promise<void>[] = [];
    for (const [conversationId, users] of batch) {
      if (users.size > maxUsersPerWrite) continue;
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

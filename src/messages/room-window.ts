import type { RequestContext } from '../domain/context';
import type { MessageRecord } from './records';
import type { MessageStore } from './store';

/**
 * A chat room keeps its newest `keep` messages. The window moves in steps of a tenth (one delete
 * per step, not per message); deleting only the oldest never disturbs the seq order or the next
 * sender's seq. Best effort: a failed step is redone by the next one.
 */
export function createRoomWindow(store: Pick<MessageStore, 'deleteUpTo'>, keep: number) {
  const step = Math.max(1, Math.ceil(keep / 10));
  return async function trim(ctx: RequestContext, message: MessageRecord) {
    if (message.seq == null || message.seq <= keep || message.seq % step !== 0) return;
    await store.deleteUpTo(message.conversationId, message.seq - keep).catch((e: unknown) => {
      ctx.log.warn({ err: e, conversationId: message.conversationId }, 'chat room history not trimmed (next step retries)');
    });
  };
}

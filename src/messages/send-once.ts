import { LRUCache } from 'lru-cache';
import type { Types } from 'mongoose';
import { isWriteOutcomeUnknown } from '../db/errors';
import type { MessageRecord } from './records';
import { STALE_SEND_KEY_MS, type MessageStore } from './store';

/** How a send with a clientMessageId goes on, given the attempts before it. */
export type Begun =
  /** Store under `id`; `ambiguous`: an earlier attempt's insert of that id may land too. */
  | { id: Types.ObjectId; ambiguous: boolean }
  /** Already stored by an earlier attempt; `announce`: that attempt failed and never announced it. */
  | { done: MessageRecord; announce: boolean };

/**
 * One message per (sender, clientMessageId), whatever happened to earlier attempts. An attempt
 * whose write timed out (the database stalled, or was too slow to answer) does not know whether
 * its message was stored: it keeps the key and is remembered here, and its retry then takes the
 * stored message and announces it, or stores its own under the same id, so that the late insert
 * of the first meets that id instead of making a second message. An attempt still under way
 * elsewhere is waited for (it announces its own message). Remembered on this instance only: a
 * retry on another instance of an attempt that timed out waits for its message (or takes the key
 * over once stale) and does not announce it.
 */
export function createSendOnce(store: MessageStore) {
  const unsure = new LRUCache<string, string>({ max: 10_000, ttl: STALE_SEND_KEY_MS });
  /** Remembers an attempt whose write may have landed; true when it was one. */
  const remember = (key: string, id: Types.ObjectId, e: unknown) => {
    const unknown = isWriteOutcomeUnknown(e);
    if (unknown) unsure.set(key, id.toHexString());
    return unknown;
  };
  return {
    async begin(key: string, id: Types.ObjectId): Promise<Begun> {
      let prior: Types.ObjectId | undefined;
      try {
        prior = await store.claimSendKey(key, id);
      } catch (e) {
        remember(key, id, e); // the claim itself may have landed
        throw e;
      }
      if (!prior) return { id, ambiguous: false };
      const mine = unsure.get(key) === prior.toHexString();
      const stored = await store.findMessage(prior);
      if (mine) unsure.delete(key); // this attempt takes over from the one that timed out
      if (stored) return { done: stored, announce: mine };
      if (mine) return { id: prior, ambiguous: true };
      return { done: await store.waitFor(prior), announce: false };
    },
    /** After a failed store: the key goes back when nothing was written, else it stays with `id`. */
    async failed(key: string, id: Types.ObjectId, e: unknown) {
      if (!remember(key, id, e)) await store.releaseSendKey(key, id).catch(() => undefined);
    },
  };
}

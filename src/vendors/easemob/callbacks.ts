import crypto from 'node:crypto';
import os from 'node:os';
import type { RequestContext } from '../../domain/context';
import type { DomainEvent } from '../../events/catalog';
import type { FormatterDeps, WebhookFormatPlugin, WebhookFormatter } from '../../outbox/formats';
import { fromMessagePayload, type MessageRecord } from '../../messages/records';
import { addressingOf, bodyOf } from './message-format';
import { easemobIds } from './credentials';

/** The vendor's callback signature: MD5 of callId + secret + timestamp, in hex. */
export const callbackSecurity = (callId: string, secret: string, timestamp: number) =>
  crypto.createHash('md5').update(`${callId}${secret}${timestamp}`).digest('hex');

/**
 * Webhooks in Easemob's post-send callback format (`format: easemob`), so that a receiver written
 * for the vendor keeps working: a stored message as `{callId, eventType: "chat", timestamp,
 * chat_type, [group_id], from, to, msg_id, payload: {ext, bodies}, securityVersion, security,
 * appkey, host}`, a recall as the vendor's `chat_type: "recall"` callback.
 */
function createEasemobCallbacks(deps: FormatterDeps): WebhookFormatter {
  async function common(ctx: RequestContext, m: MessageRecord, secret: string) {
    const app = await ctx.loaders.appById.load(m.appId);
    const conversation = await ctx.loaders.conversationById.load(m.conversationId);
    if (!app || !conversation) return null;
    const appkey = `${easemobIds(app).orgName}#${easemobIds(app).appName}`;
    const callId = `${appkey}_${crypto.randomUUID()}`;
    const timestamp = Date.now();
    const { to, chatType } = await addressingOf(ctx, deps.conversations, conversation, m.senderId);
    const from = m.senderId ? ((await ctx.loaders.userById.load(m.senderId))?.username ?? '') : 'admin';
    return {
      chatType,
      fields: { callId, timestamp, from, to, msg_id: String(m.uid) },
      signed: { securityVersion: '1.0.0', security: callbackSecurity(callId, secret, timestamp), appkey, host: os.hostname() },
    };
  }

  return async function format(e: DomainEvent, secret: string): Promise<string | null> {
    if (e.type !== 'message.added' && e.type !== 'message.recalled') return null;
    const m = fromMessagePayload(e.message);
    if (m.seq === null) return null;
    const c = await common(deps.appContext(m.appId), m, secret);
    if (!c) return null;
    // Chat groups and chat rooms are both `groupchat`, with the id in group_id.
    const place = c.chatType === 'chat' ? { chat_type: 'chat' } : { chat_type: 'groupchat', group_id: c.fields.to };
    if (e.type === 'message.recalled') {
      const id = c.fields.msg_id;
      const payload = { ext: {}, ack_message_id: id, bodies: [] };
      return JSON.stringify({ chat_type: 'recall', ...c.fields, eventType: 'chat', recall_id: id, payload, ...c.signed });
    }
    const { body, ext } = bodyOf(m);
    return JSON.stringify({ ...c.fields, eventType: 'chat', ...place, payload: { ext, bodies: [body] }, ...c.signed });
  };
}

/** The `easemob` webhook format, registered with the outbox by the adapter's descriptor. */
export const easemobCallbackFormat: WebhookFormatPlugin = {
  name: 'easemob',
  events: ['message.created', 'message.recalled'],
  create: createEasemobCallbacks,
};

import type { MessageContent, SendTarget } from '../../../messages/service';
import type { MessageRecord } from '../../../messages/records';
import { contract, type WildfirePayload } from '../contract';
import type { WildfireRoutes } from '../dialect';
import { wildfireError } from '../errors';

/** Type 1 is text; every other payload is kept whole (a custom message) and comes back unchanged. */
export function contentOf(p: WildfirePayload): MessageContent {
  const whole = JSON.stringify(p);
  return p.type === 1 ? { type: 'text', text: p.searchableContent ?? '', payload: whole } : { type: 'custom', payload: whole };
}

const CONV_TYPES: Record<number, string> = { 2: 'chat room', 3: 'channel' };

function targetOf(conv: { type: number; target: string }): SendTarget {
  if (conv.type === 0) return { to: { username: conv.target } };
  if (conv.type === 1) {
    if (!/^\d{1,15}$/.test(conv.target)) throw wildfireError('notExist', `group ${conv.target} does not exist`);
    return { groupId: Number(conv.target) };
  }
  const what = CONV_TYPES[conv.type];
  throw wildfireError(
    'invalidParameter',
    what ? `conversation type ${conv.type} (${what}) is not supported` : `unknown conversation type ${conv.type}`,
  );
}

const sent = (m: MessageRecord) => ({ result: { messageUid: m.uid, timestamp: m.createdAt.getTime() } });

/** A group the robot is not in is "not in group"; the user or group that does not exist, "not exist". */
const sendErrors = {
  NOT_FOUND: (e: { details: { field?: string } }) => (e.details.field === 'conversationId' ? wildfireError('notInGroup') : undefined),
};

export function registerMessageRoutes({ route, services }: WildfireRoutes) {
  const { messages } = services;

  route({ ...contract.send, errors: sendErrors }, async (call, { body }) => {
    if (body.sender !== undefined && body.sender.toLowerCase() !== call.robot.rid.toLowerCase())
      throw wildfireError('invalidParameter', 'sender must be the robot itself');
    return sent(await messages.send(call.ctx, { ...contentOf(body.payload), ...targetOf(body.conv) }));
  });

  // Into the conversation of the message replied to, or (only2Sender) to its sender directly.
  route({ ...contract.reply, errors: sendErrors }, async (call, { body }) => {
    const original = await messages.findByUid(call.ctx, body.messageUid);
    if (body.only2Sender) {
      if (!original.senderId) throw wildfireError('invalidParameter', 'the message has no sender');
      return sent(await messages.send(call.ctx, { ...contentOf(body.payload), to: { id: original.senderId } }));
    }
    return sent(await messages.send(call.ctx, { ...contentOf(body.payload), conversationId: original.conversationId }));
  });

  route(contract.recall, async (call, { body }) => {
    await messages.recallByUid(call.ctx, body.messageUid);
    return { result: 'success' };
  });
}

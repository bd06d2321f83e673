import { contract } from '../contract';
import type { GobelieveRoutes } from '../dialect';
import { isDomainError } from '../../../domain/errors';
import { contentOf } from '../content';
import { invalidParam } from '../errors';

export function registerMessageRoutes({ route, services }: GobelieveRoutes) {
  const { users, messages, conversations, groups } = services;

  route(contract.peer, async (call, { body }) => {
    await users.ensure(call.ctx, [{ username: body.sender }, { username: body.receiver }], 'sender');
    await messages.send(call.ctx, { ...contentOf(body.content), from: { username: body.sender }, to: { username: body.receiver } });
    return {};
  });

  route(contract.group, async (call, { body }) => {
    await users.ensure(call.ctx, [{ username: body.sender }], 'sender');
    await messages.send(call.ctx, { ...contentOf(body.content), from: { username: body.sender }, groupId: body.receiver });
    return {};
  });

  // Beyond the document, as the real server: a room is an id (nobody need have entered it), and
  // sender 0 is the system, whose message is a sender-less system notice.
  route(contract.room, async (call, { body }) => {
    if (body.sender === null) {
      await messages.send(call.ctx, { ...contentOf(body.content, 'system'), roomId: body.receiver });
      return {};
    }
    await users.ensure(call.ctx, [{ username: body.sender }], 'sender');
    await messages.send(call.ctx, { ...contentOf(body.content), from: { username: body.sender }, roomId: body.receiver });
    return {};
  });

  // Stored notices in the receiver's system conversation.
  route(contract.system, async (call, { body }) => {
    await users.ensure(call.ctx, [{ username: body.receiver }], 'receiver');
    const { conversation } = await conversations.openSystem(call.ctx, { username: body.receiver });
    await messages.send(call.ctx, { ...contentOf(body.content, 'system'), conversationId: conversation.id });
    return {};
  });

  // Online-only: delivered to the receiver's open connections, never stored.
  route(contract.notification, async (call, { body }) => {
    await users.ensure(call.ctx, [{ username: body.receiver }], 'receiver');
    const { conversation } = await conversations.openSystem(call.ctx, { username: body.receiver });
    await messages.send(call.ctx, { ...contentOf(body.content, 'notification'), persist: false, conversationId: conversation.id });
    return {};
  });

  // As the real server: a group with no members (or none at all) is refused with "group no member".
  route(contract.groupNotification, async (call, { body }) => {
    const group = await groups.get(call.ctx, body.group_id).catch((e: unknown) => {
      if (isDomainError(e) && e.code === 'NOT_FOUND') return null;
      throw e;
    });
    if (!group || (await conversations.memberCount(call.ctx, group.conversationId)) === 0) throw invalidParam('group no member');
    await messages.send(call.ctx, { ...contentOf(body.content, 'notification'), persist: false, conversationId: group.conversationId });
    return {};
  });
}

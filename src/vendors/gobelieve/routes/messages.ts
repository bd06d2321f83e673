import { contract } from '../contract';
import type { GobelieveRoutes } from '../dialect';
import { contentOf } from '../content';

export function registerMessageRoutes({ route, services }: GobelieveRoutes) {
  const { users, messages, conversations } = services;

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

  // Beyond the document, as the real server: chat-room messages reach the room's connected members only.
  route(contract.room, async (call, { body }) => {
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

  route(contract.groupNotification, async (call, { body }) => {
    await messages.send(call.ctx, { ...contentOf(body.content, 'notification'), persist: false, groupId: body.group_id });
    return {};
  });
}

import { contract } from '../contract';
import type { GobelieveRoutes } from '../dialect';
import { contentString } from '../content';

/** Customer service: a customer (client token) and the supporter of an app's store. */
export function registerCustomerRoutes({ route, services }: GobelieveRoutes) {
  const { customers, messages } = services;

  route(contract.supporters, async (call, { query }) => {
    const { supporter, online } = await customers.supporter(call.ctx, query.store_id ?? query.store);
    return {
      data: {
        seller_id: /^\d{1,15}$/.test(supporter.username) ? Number(supporter.username) : supporter.username,
        name: supporter.profile.displayName ?? supporter.nickname ?? supporter.username,
        avatar: supporter.profile.portrait ?? '',
        status: online ? 'online' : 'offline',
      },
    };
  });

  // 1 when the customer has anything not yet delivered to them, else 0.
  route(contract.offline, async (call, { query }) => {
    return { data: { new: (await customers.hasPending(call.ctx, query.customer_id)) ? 1 : 0 } };
  });

  // The customer's latest 100 messages with the store, oldest first; timestamps in seconds.
  route(contract.history, async (call, { query }) => {
    const conversation = await customers.conversation(call.ctx, query.store ?? query.store_id);
    const page = await messages.history(call.ctx, conversation.id, { last: 100 });
    return {
      data: page.edges.map(({ node }) => ({
        id: node.uid,
        content: contentString(node),
        timestamp: Math.floor(node.createdAt.getTime() / 1000),
      })),
    };
  });
}

import { contract } from '../contract';
import type { GobelieveRoutes } from '../dialect';

export function registerAuthRoutes({ route, services }: GobelieveRoutes) {
  const { users, tokens, customers } = services;

  // A permanent token for the app's user `uid` (created if new); every grant is a new valid token.
  route(contract.grant, async (call, { body }) => {
    const [user] = await users.ensure(call.ctx, [{ username: body.uid, nickname: body.user_name }], 'uid');
    const named =
      body.user_name && body.user_name !== user!.nickname
        ? await users.updateProfile(call.ctx, { id: user!.id }, { nickname: body.user_name })
        : user!;
    return { data: { token: (await tokens.grantUserToken(call.ctx, named)).accessToken } };
  });

  // No credentials (the document's customer API): a customer of the app's store (the first, or
  // `store_id`) gets a customer token. The dialect found the app named by `appid`, if any.
  route(contract.customer, async (call, { body }) => {
    const signedIn = await customers.signIn(call.ctx, call.app, {
      customerId: body.customer_id,
      name: body.name,
      avatar: body.avatar,
      storeId: body.store_id,
    });
    return { data: { token: signedIn.token, store_id: signedIn.storeId, client_id: body.customer_id } };
  });
}

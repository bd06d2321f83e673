import { contract } from '../contract';
import type { GobelieveRoutes } from '../dialect';
import { invalidParam } from '../errors';

export function registerAuthRoutes({ route, services }: GobelieveRoutes) {
  const { users, tokens, stores, apps } = services;

  // A permanent token for the app's user `uid` (created if new); every grant is a new valid token.
  route(contract.grant, async (call, { body }) => {
    const [user] = await users.ensure(call.ctx, [{ username: body.uid, nickname: body.user_name }], 'uid');
    const named =
      body.user_name && body.user_name !== user!.nickname
        ? await users.updateProfile(call.ctx, { id: user!.id }, { nickname: body.user_name })
        : user!;
    return { data: { token: (await tokens.grantUserToken(call.ctx, named)).accessToken } };
  });

  // No authentication: a customer of the app's store (the first, or `store_id`) gets a token.
  route(contract.customer, async (call, { body }) => {
    const found = await apps.findByGobelieveAppId(body.appid);
    if (!found) throw invalidParam('unknown appid');
    call.ctx.principal = { kind: 'app', appId: found.app.id, tokenId: `gobelieve-customer:${body.appid}`, expiresAt: null };
    const { store } = await stores.find(found.app.id, body.store_id);
    const [customer] = await users.ensure(call.ctx, [{ username: body.customer_id, nickname: body.name }], 'customer_id');
    if (body.avatar && body.avatar !== customer!.profile.portrait)
      await users.updateProfile(call.ctx, { id: customer!.id }, { profile: { portrait: body.avatar } });
    const token = await tokens.grantUserToken(call.ctx, customer!);
    return { data: { token: token.accessToken, store_id: store.storeId, client_id: customer!.username } };
  });
}

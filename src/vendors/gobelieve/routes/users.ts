import type { PushProvider } from '../../../users/records';
import { contract, DEVICE_KINDS } from '../contract';
import type { GobelieveRoutes } from '../dialect';

const tokensOf = (body: Record<string, string | undefined>) =>
  DEVICE_KINDS.flatMap((kind) => {
    const token = body[`${kind}_device_token`];
    return token ? [{ provider: kind as PushProvider, token }] : [];
  });

export function registerUserRoutes({ route, services }: GobelieveRoutes) {
  const { users } = services;

  // Name, per-peer do-not-disturb, the phone's mute and (beyond the document) `forbidden`, in one write.
  route(contract.settings, async (call, { params, body }) => {
    const dnd = body.do_not_disturb;
    await users.ensure(call.ctx, [{ username: params.uid }, ...(dnd ? [{ username: dnd.peer_uid }] : [])], 'uid');
    await users.applySettings(
      call.ctx,
      { username: params.uid },
      {
        ...(body.name !== undefined ? { nickname: body.name } : {}),
        ...(body.mute !== undefined ? { notification: { muted: body.mute } } : {}),
        ...(dnd ? { peerDoNotDisturb: { peer: { username: dnd.peer_uid }, on: dnd.on } } : {}),
        ...(body.forbidden !== undefined ? { forbidden: body.forbidden } : {}),
      },
    );
    return {};
  });

  route(contract.bind, async (call, { params, body }) => {
    await users.ensure(call.ctx, [{ username: params.uid }], 'uid');
    for (const t of tokensOf(body)) await users.setDeviceToken(call.ctx, { username: params.uid }, t.provider, t.token);
    return {};
  });

  // Removes each named token when it is the one bound (a stale unbind leaves a newer binding alone).
  route(contract.unbind, async (call, { params, body }) => {
    const user = await users.findInApp(call.ctx, { username: params.uid }, 'uid');
    for (const t of tokensOf(body))
      if (user.deviceTokens.some((d) => d.provider === t.provider && d.token === t.token))
        await users.removeDeviceToken(call.ctx, { id: user.id }, t.provider);
    return {};
  });
}

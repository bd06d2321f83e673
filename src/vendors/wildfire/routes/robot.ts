import type { UserRecord } from '../../../users/records';
import { contract } from '../contract';
import type { WildfireRoutes } from '../dialect';
import { wildfireError } from '../errors';

/** Wildfire's user info: `userId` and `name` are both the username; absent fields are omitted. */
function userInfo(u: UserRecord) {
  const fields = {
    userId: u.username,
    name: u.username,
    displayName: u.profile.displayName ?? u.nickname ?? u.username,
    portrait: u.profile.portrait,
    mobile: u.profile.mobile,
    email: u.profile.email,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null && v !== undefined));
}

/** update_profile's field numbers that the domain keeps (2 gender, 5 address, 6 company, 7 social, 8 extra are not). */
const PROFILE_FIELDS: Record<number, 'nickname' | 'portrait' | 'email'> = { 0: 'nickname', 1: 'portrait', 4: 'email' };

export function registerRobotRoutes({ route, services }: WildfireRoutes) {
  const { users, robots } = services;

  const lookUp: Parameters<typeof route>[1] = async (call, { body }) => {
    const q = body as { userId?: string; name?: string; mobile?: string };
    const given = [q.userId, q.name, q.mobile].filter((v) => v !== undefined);
    if (given.length !== 1) throw wildfireError('invalidParameter', 'give exactly one of userId, name and mobile');
    const user =
      q.mobile !== undefined ? await users.findByMobile(call.ctx, q.mobile) : await users.findInApp(call.ctx, { username: given[0]! });
    return { result: userInfo(user) };
  };
  route(contract.userInfo, lookUp);
  route(contract.getInfo, lookUp);

  route(contract.profile, async (call) => {
    const me = await users.actingUser(call.ctx, null);
    const callback = await robots.ownCallback(call.ctx);
    return { result: { ...userInfo(me), secret: call.secret, ...(callback ? { callback } : {}) } };
  });

  route(contract.updateProfile, async (call, { body }) => {
    const field = PROFILE_FIELDS[body.type];
    if (!field) throw wildfireError('invalidParameter', `profile field ${body.type} is not kept by this server`);
    if (field === 'nickname') await users.updateProfile(call.ctx, null, { nickname: body.value });
    else await users.updateProfile(call.ctx, null, { profile: { [field]: body.value } });
    return {};
  });

  route(contract.setCallback, async (call, { body }) => {
    // As the real server: an empty url does not remove the callback; delete_callback does.
    if (!body.url) throw wildfireError('invalidParameter', 'url is required; use delete_callback to remove it');
    await robots.setOwnCallback(call.ctx, body.url);
    return {};
  });

  route(contract.getCallback, async (call) => {
    const url = await robots.ownCallback(call.ctx);
    return { result: url ? { url } : {} };
  });

  route(contract.deleteCallback, async (call) => {
    await robots.setOwnCallback(call.ctx, null);
    return {};
  });
}

import type { RequestContext } from '../domain/context';
import { forbidden, invalidInput, unauthenticated } from '../domain/errors';
import type { UserRef, UserService } from '../users/service';
import type { ConnectionRegistry } from './connections';

export const MAX_STATUS_BATCH = 100;

export type PresenceService = ReturnType<typeof createPresenceService>;

/** Online while at least one authenticated WebSocket of the user is open (this instance). */
export function createPresenceService(deps: { connections: ConnectionRegistry; users: UserService }) {
  const { connections, users } = deps;
  const appOf = (ctx: RequestContext) => {
    const p = ctx.principal;
    if (p.kind !== 'app' && p.kind !== 'user') throw unauthenticated();
    return p.appId;
  };
  return {
    /** Status of up to 100 users by username; unknown users are reported offline. */
    async statuses(ctx: RequestContext, usernames: string[]) {
      const appId = appOf(ctx);
      if (usernames.length === 0) throw invalidInput('name at least one user', 'usernames');
      if (usernames.length > MAX_STATUS_BATCH)
        throw invalidInput(`at most ${MAX_STATUS_BATCH} users per call`, 'usernames', 'limit_exceeded');
      const found = await users.findByUsernames(appId, usernames);
      return usernames.map((username, i) => {
        const u = found[i];
        return { username, user: u ?? null, online: !!u && connections.count(appId, u.id) > 0 };
      });
    },
    isOnline: (appId: string, userId: string) => connections.count(appId, userId) > 0,
    /** Closes every live connection of the user; app principals only. */
    async disconnect(ctx: RequestContext, ref: UserRef) {
      if (ctx.principal.kind !== 'app')
        throw ctx.principal.kind === 'user' ? forbidden('this operation needs an app token') : unauthenticated();
      const user = await users.findInApp(ctx, ref);
      return { user, closed: connections.closeUser(user.appId, user.id, 'disconnected by the app') };
    },
  };
}

import type { RequestContext } from '../domain/context';
import { forbidden, invalidInput, unauthenticated } from '../domain/errors';
import type { UserRef, UserService } from '../users/service';
import type { PresenceDirectory } from './directory';
import type { EventBus } from '../events/bus';

export const MAX_STATUS_BATCH = 100;

export type PresenceService = ReturnType<typeof createPresenceService>;

/** Online while at least one authenticated WebSocket of the user is open, on any instance (presence/directory.ts). */
export function createPresenceService(deps: { directory: PresenceDirectory; users: UserService; events: EventBus }) {
  const { directory, users, events } = deps;
  const count = async (appId: string, userId: string) => (await directory.counts(appId, [userId]))[0]!;
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
      const known = found.flatMap((u) => (u ? [u.id] : []));
      const counts = new Map((await directory.counts(appId, known)).map((n, i) => [known[i]!, n]));
      return usernames.map((username, i) => {
        const u = found[i];
        return { username, user: u ?? null, online: !!u && counts.get(u.id)! > 0 };
      });
    },
    /** One user's status; an unknown user is not found. */
    async statusOf(ctx: RequestContext, ref: UserRef) {
      const user = await users.findInApp(ctx, ref);
      return { username: user.username, user, online: (await count(user.appId, user.id)) > 0 };
    },
    isOnline: async (appId: string, userId: string) => (await count(appId, userId)) > 0,
    /** Closes every live connection of the user; app principals only. */
    async disconnect(ctx: RequestContext, ref: UserRef) {
      if (ctx.principal.kind !== 'app')
        throw ctx.principal.kind === 'user' ? forbidden('this operation needs an app token') : unauthenticated();
      const user = await users.findInApp(ctx, ref);
      const closed = await count(user.appId, user.id);
      // Through the bus: the user's sockets close wherever they are connected.
      events.publish('user.disconnect', { appId: user.appId, userId: user.id, reason: 'disconnected by the app' }, []);
      return { user, closed };
    },
  };
}

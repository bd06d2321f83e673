import { contract } from '../contract';
import type { ImbeeRoutes } from '../dialect';
import { imbeeError } from '../errors';

const day = (d: Date) => d.toISOString().slice(0, 10);

export interface ImbeeSettings {
  defaultMaxRetries: number;
  defaultValidDays: number;
  /** Where links point (the page is below it); default: where the request came (`call.base`). */
  publicUrl?: string;
}

export function registerApiRoutes({ route, services }: ImbeeRoutes, settings: ImbeeSettings) {
  const { webAccess, outbox, conversations, users } = services;

  route(contract.tokenNew, async (call, { body }) => {
    const virtualUser = body.virtual_user ?? body.virutal_user;
    if (!virtualUser?.trim()) throw imbeeError(400, 'virtual_user can not be null or empty');
    const cellular = body.celullar ?? body.cellular;
    if (!body.mail && !cellular) throw imbeeError(400, 'give mail or celullar (or both)');
    const issued = await webAccess.issue(call.ctx, {
      virtualUser: virtualUser.trim(),
      botRid: body.bot_idsha,
      maxRetries: body.max_retries ?? settings.defaultMaxRetries,
      dateLimit: body.date_limit ?? day(new Date(Date.now() + settings.defaultValidDays * 86_400_000)),
    });
    // The secret travels in the fragment: browsers never send it to a server, so it reaches no log.
    const url = `${settings.publicUrl?.replace(/\/$/, '') ?? call.base}/chat#${issued.secret}`;
    const linkId = String(issued.link._id);
    for (const [channel, destination] of [
      ['EMAIL', body.mail],
      ['SMS', cellular],
    ] as const)
      if (destination)
        await outbox.sendOutbound(call.ctx, null, {
          channel,
          destination,
          payload: JSON.stringify({ subject: 'Your chat link', text: `Open your chat: ${url}`, url, dateLimit: issued.link.dateLimit }),
          idempotencyKey: `imbee-link:${linkId}:${channel}`,
        });
    return {
      body: {
        url,
        user_idsha: issued.user.username,
        date_limit: issued.link.dateLimit,
        max_retries: issued.link.maxRetries,
        previously_created: issued.previouslyCreated,
      },
    };
  });

  route(contract.userNew, async (call, { body }) => {
    const { uniqueIdSha, ...device } = body;
    const r = await webAccess.registerExternal(call.ctx, uniqueIdSha, device as Record<string, string>);
    return { body: { virtualUser: r.user.username, pass: r.pass, apikey: r.apikey, previously_registered: r.previouslyRegistered } };
  });

  // The caller (the API key's user) and its contacts: a direct chat, or a group with the caller as admin.
  route(contract.chatCreate, async (call, { body }) => {
    const me = await users.actingUser(call.ctx, null);
    const others = [...new Set(body.contacts.map((c) => c.idsha))].filter((u) => u.toLowerCase() !== me.username.toLowerCase());
    if (others.length === 0) throw imbeeError(400, 'contacts must name someone other than the caller');
    const contacts = [{ idsha: me.username, isadmin: 1 }, ...others.map((idsha) => ({ idsha, isadmin: 0 }))];
    if (body.type === 'chat') {
      if (others.length !== 1) throw imbeeError(400, 'a chat has exactly one contact; use type "group" for more');
      const opened = await conversations.openDirect(call.ctx, null, { username: others[0]! });
      return { body: { contacts, conversationId: opened.conversation.id, previously_created: !!opened.previouslyCreated } };
    }
    const found = await webAccess.groupChat(call.ctx, me, others, body.name);
    return { body: { contacts, conversationId: found.conversationId, previously_created: found.previouslyCreated } };
  });

  route(contract.webSession, async (call, { body }) => {
    const s = await webAccess.open(call.ctx, body.token);
    return { body: { token: s.token, user: s.user.username, bot: s.bot.username, remaining: s.remaining, date_limit: s.dateLimit } };
  });
}

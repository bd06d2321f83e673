import type { Services } from '../app/services';
import type { RequestContext } from '../domain/context';
import type { DeliveryState } from '../outbox/records';
import type { CliFlags } from '../ports/adapter-command';

export const OUTBOX_USAGE = `  robot create --app <appId> --user <username> [--secret <s>] [--callback <url>]
                                                    make a user (registered if new) a robot; prints {rid, secret, userId, …}
  robot list --app <appId>
  robot set-callback --robot <rid> [--url <url>]    no --url removes the callback
  robot rotate-secret --robot <rid> [--secret <s>]
  webhook create --app <appId> --url <url> --events <type,…> [--secret <s>]
  webhook list --app <appId>
  webhook delete --id <subscriptionId>
  gateway set --app <appId> --channel <SMS|EMAIL|…> --url <url> [--secret <s>]
  gateway list --app <appId>
  gateway remove --app <appId> --channel <channel>
  delivery list [--app <appId>] [--state <s>]… [--channel <c>]… [--first <n>]
  delivery show --id <deliveryId>
  delivery replay --id <deliveryId>                 attempt a dead or delivered delivery again
  store create --app <appId> --name <name> --supporter <username>
                                                    a customer-service desk (a store); prints {storeId, supporter, …}
  store list --app <appId>`;

type Flags = CliFlags;

/** Outbox nouns of the operator CLI; resolves to the JSON to print, or undefined for an unknown command. */
export async function runOutboxCommand(noun: string, verb: string, f: Flags, s: Services, ctx: RequestContext): Promise<unknown> {
  const key = `${noun} ${verb}`;
  switch (key) {
    case 'robot create': {
      const r = await s.robots.create(ctx, f.one('app'), {
        username: f.one('user'),
        secret: f.optional('secret'),
        callbackUrl: f.optional('callback'),
      });
      return { rid: r.rid, secret: r.secret, userId: r.userId, robotId: r.id, appId: r.appId, callbackUrl: r.callbackUrl };
    }
    case 'store create': {
      const { store, supporter } = await s.stores.create(ctx, f.one('app'), {
        name: f.one('name'),
        supporter: { username: f.one('supporter') },
      });
      return { storeId: store.storeId, supporter: supporter.username, name: store.name, appId: store.appId, id: store.id };
    }
    case 'store list':
      return s.stores.list(ctx, f.one('app'));
    case 'robot list':
      return s.robots.list(ctx, f.one('app'));
    case 'robot set-callback':
      return s.robots.setCallback(ctx, f.one('robot'), f.optional('url'));
    case 'robot rotate-secret': {
      const r = await s.robots.rotateSecret(ctx, f.one('robot'), f.optional('secret'));
      return { rid: r.rid, secret: r.secret, userId: r.userId, robotId: r.id };
    }
    case 'webhook create':
      return s.webhooks.create(ctx, f.one('app'), {
        url: f.one('url'),
        eventTypes: f.all('events').flatMap((v) => v.split(',').map((t) => t.trim())),
        secret: f.optional('secret'),
      });
    case 'webhook list':
      return s.webhooks.list(ctx, f.one('app'));
    case 'webhook delete':
      return s.webhooks.remove(ctx, f.one('id'));
    case 'gateway set':
      return s.gateways.set(ctx, f.one('app'), { channel: f.one('channel'), url: f.one('url'), secret: f.optional('secret') });
    case 'gateway list':
      return s.gateways.list(ctx, f.one('app'));
    case 'gateway remove':
      return s.gateways.remove(ctx, f.one('app'), f.one('channel'));
    case 'delivery list':
      return (
        await s.outbox.list(ctx, {
          appId: f.optional('app'),
          states: f.all('state').map((v) => v.toLowerCase() as DeliveryState),
          channels: f.all('channel'),
          first: f.optional('first') ? Number(f.optional('first')) : undefined,
        })
      ).edges.map((e) => e.node);
    case 'delivery show':
      return s.outbox.get(ctx, f.one('id'));
    case 'delivery replay':
      return s.outbox.replay(ctx, f.one('id'));
    default:
      return undefined;
  }
}

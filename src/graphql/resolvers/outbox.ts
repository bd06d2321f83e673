import type { SurfacePort as Services } from '../../ports/surface';
import type { RequestContext } from '../../domain/context';
import type { DeliveryPayload, DomainEvent } from '../../events/catalog';
import { topicSource } from '../../events/live';
import { shared } from '../live/shared';
import type { Resolvers } from '../../generated/graphql';
import type { DeliveryState } from '../../outbox/records';
import { pageInfo } from './connections';

const upper = (v: string) => v.toUpperCase() as never;
const states = (v: readonly string[] | null | undefined) => v?.map((s) => s.toLowerCase() as DeliveryState);

export function outboxResolvers(services: Services): Resolvers {
  const { outbox, webhooks, gateways, robots } = services;
  /** The newest delivery of one channel (and destination) of the app. */
  const latest = async (ctx: RequestContext, appId: string, channel: string, destination?: string) =>
    (await outbox.list(ctx, { appId, channels: [channel], destination, first: 1 })).edges[0]?.node ?? null;
  return {
    Query: {
      deliveries: (_p, a, ctx) => outbox.list(ctx, { ...a, states: states(a.states) }),
      delivery: (_p, { id }, ctx) => outbox.get(ctx, id),
      webhookSubscriptions: (_p, { appId }, ctx) => webhooks.list(ctx, appId),
      gateways: (_p, { appId }, ctx) => gateways.list(ctx, appId),
      robots: (_p, { appId }, ctx) => robots.list(ctx, appId),
    },
    Mutation: {
      createWebhookSubscription: (_p, { appId, input }, ctx) =>
        webhooks.create(ctx, appId, { ...input, format: input.format?.toLowerCase() }),
      updateWebhookSubscription: (_p, { id, input }, ctx) => webhooks.update(ctx, id, { ...input, format: input.format?.toLowerCase() }),
      rotateWebhookSecret: (_p, { id, secret }, ctx) => webhooks.rotateSecret(ctx, id, secret),
      deleteWebhookSubscription: (_p, { id }, ctx) => webhooks.remove(ctx, id),
      setGateway: (_p, { appId, input }, ctx) => gateways.set(ctx, appId, input),
      removeGateway: (_p, { appId, channel }, ctx) => gateways.remove(ctx, appId, channel),
      createRobot: (_p, { appId, input }, ctx) => robots.create(ctx, appId, input),
      setRobotCallback: (_p, { robot, url }, ctx) => robots.setCallback(ctx, robot, url),
      rotateRobotSecret: (_p, { robot, secret }, ctx) => robots.rotateSecret(ctx, robot, secret),
      sendOutboundMessage: (_p, { appId, input }, ctx) => outbox.sendOutbound(ctx, appId, input),
      replayDelivery: (_p, { id }, ctx) => outbox.replay(ctx, id),
      discardDelivery: (_p, { id }, ctx) => outbox.discard(ctx, id),
    },
    Subscription: {
      deliveryChanged: {
        subscribe: (_p, _a, ctx) => {
          // With its event's id, every app subscriber shares one result (src/graphql/live/frames.ts).
          return topicSource<DomainEvent, DeliveryPayload & { eventId: string }>(services.feeds.deliveries(ctx), (e) =>
            e.type === 'delivery.changed' ? { ...e.delivery, eventId: e.eventId } : undefined,
          ) as never;
        },
        resolve: shared((d: DeliveryPayload, _a: unknown, ctx: RequestContext) => {
          ctx.loaders = services.newLoaders();
          return d;
        }),
      },
    },
    Delivery: {
      state: shared((d) => upper(d.state)),
    },
    DeliveryConnection: {
      nodes: (c) => c.edges.map((e) => e.node),
      pageInfo: (c) => pageInfo(c),
    },
    DeliveryChangedEvent: {
      state: (d) => upper(d.state),
      nextAttemptAt: (d) => (d.nextAttemptAt === null ? null : new Date(d.nextAttemptAt)),
      at: (d) => new Date(d.at),
      delivery: (d, _a, ctx) => outbox.get(ctx, d.id).catch(() => null),
    },
    WebhookSubscription: {
      format: (s) => upper(s.format),
      lastDelivery: (s, _a, ctx) => latest(ctx, s.appId, 'WEBHOOK', s.url),
      secret: (s) => s.secret ?? null,
    },
    Gateway: {
      secret: (g) => g.secret ?? null,
      lastDelivery: (g, _a, ctx) => latest(ctx, g.appId, g.channel),
    },
    Robot: {
      user: async (r, _a, ctx) => (await ctx.loaders.userById.load(r.userId))!,
      secret: (r) => r.secret ?? null,
      lastDelivery: (r, _a, ctx) => latest(ctx, r.appId, 'ROBOT', r.rid),
    },
  };
}

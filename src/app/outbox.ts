import type { Connection } from 'mongoose';
import type { ConversationService } from '../conversations/service';
import { isObjectIdHex } from '../db/ids';
import { createSecretBox, secretKeyMaterial } from '../db/secret-box';
import type { Log, RequestContext } from '../domain/context';
import type { EventBus } from '../events/bus';
import { topics } from '../events/catalog';
import type { GroupService } from '../groups/service';
import type { MessageService } from '../messages/service';
import { createEndpointDirectory } from '../outbox/endpoints';
import { startOutboxFeeder } from '../outbox/feeder';
import { createGateways } from '../outbox/gateways';
import { createHttpPoster } from '../outbox/http-post';
import { registerOutboxModels, type DeliveryDoc } from '../outbox/model';
import { createOutboxService, toDeliveryPayload } from '../outbox/service';
import { createDeliveryStore } from '../outbox/store';
import { readBacklog } from '../outbox/backlog';
import { addBacklogReader } from '../observability/outbox';
import { createWebhookSubscriptions } from '../outbox/subscriptions';
import { createOutboxWorker } from '../outbox/worker';
import { registerRobotModel } from '../robots/model';
import { createRobotService } from '../robots/service';
import type { UserService } from '../users/service';
import { createFormatRegistry, type WebhookFormatPlugin } from '../outbox/formats';
import type { Config } from './config';

interface OutboxDeps {
  users: UserService;
  conversations: ConversationService;
  groups: GroupService;
  messages: MessageService;
  events: EventBus;
  context(principal: RequestContext['principal'], log: Log, requestId: string): RequestContext;
  log: Log;
  /** Callback formats the adapters register. */
  formats: readonly WebhookFormatPlugin[];
}

/** The outbox and what feeds it: webhook subscriptions, gateways, robots, the worker and the event feed. */
export function createOutbox(config: Config, connection: Connection, deps: OutboxDeps) {
  const { events, log } = deps;
  const models = registerOutboxModels(connection);
  const box = createSecretBox(secretKeyMaterial(config.outbox.secretsKey, config.database.dataDir));
  const allowPrivate = config.outbox.allowPrivate;
  const endpointsChanged = (appId: string) => events.publish('endpoints.changed', { appId }, []);
  const store = createDeliveryStore(models.deliveries, models.claims);
  const stopBacklog = addBacklogReader(() => readBacklog(models.deliveries));

  const formats = createFormatRegistry(deps.formats);
  const subscriptions = createWebhookSubscriptions({ model: models.subscriptions, box, allowPrivate, formats, changed: endpointsChanged });
  const gateways = createGateways({
    model: models.gateways,
    box,
    allowPrivate,
    changed: async (appId, channel) => {
      endpointsChanged(appId);
      await store.wakeWaiting(appId, channel);
      worker.wake();
    },
  });
  const robots = createRobotService({
    model: registerRobotModel(connection),
    users: deps.users,
    box,
    allowPrivate,
    changed: async (appId) => {
      endpointsChanged(appId);
      await store.wakeWaiting(appId, 'ROBOT');
      worker.wake();
    },
  });

  const announce = (doc: DeliveryDoc) => {
    const delivery = toDeliveryPayload(doc);
    events.publish('delivery.changed', { delivery }, [topics.deliveries(delivery.appId)]);
  };

  /** IM: a system message to the destination user, idempotent by delivery id. */
  async function deliverInApp(doc: DeliveryDoc) {
    const appId = doc.appId.toHexString();
    const ctx = deps.context({ kind: 'app', appId, tokenId: 'outbox', expiresAt: null }, log, `outbox:${doc._id.toHexString()}`);
    const { destination, payload } = JSON.parse(doc.body) as { destination: string; payload: unknown };
    const user = await deps.users.findInApp(
      ctx,
      isObjectIdHex(destination) ? { id: destination } : { username: destination },
      'destination',
    );
    const system = await deps.conversations.openSystem(ctx, { id: user.id });
    const fields = (payload ?? {}) as Record<string, unknown>;
    const text = [fields.text, fields.message, fields.title].find((v) => typeof v === 'string' && v) as string | undefined;
    await deps.messages.send(ctx, {
      conversationId: system.conversation.id,
      type: 'system',
      text: (text ?? JSON.stringify(payload)).slice(0, 5_000),
      payload: JSON.stringify(payload),
      clientMessageId: `outbox:${doc._id.toHexString()}`,
    });
  }

  const poster = createHttpPoster({ timeoutMs: config.outbox.timeoutMs, maxResponseBytes: config.outbox.maxResponseBytes, allowPrivate });
  const worker = createOutboxWorker({
    store,
    endpoints: createEndpointDirectory({
      subscription: subscriptions.endpoint,
      robot: robots.callback,
      gateway: gateways.endpoint,
    }),
    poster,
    settings: config.outbox,
    log,
    deliverInApp,
    changed: announce,
  });
  const outbox = createOutboxService({
    store,
    handOverLease: () => worker.handOverLease(),
    accepted: (docs) => {
      docs.forEach(announce);
      worker.handOver(docs);
    },
    wake: () => worker.wake(),
  });

  events.on('endpoints.changed', (e) => {
    subscriptions.forget(e.appId);
    gateways.forget(e.appId);
    robots.forget(e.appId);
  });
  // Each format's writer reads as an app principal of the event's app (its loaders, its rosters).
  const writers = formats.writers({
    conversations: deps.conversations,
    appContext: (appId) => deps.context({ kind: 'app', appId, tokenId: 'outbox', expiresAt: null }, log, 'outbox:format'),
  });
  const feeder = startOutboxFeeder({ ...deps, subscriptions, robots, formats: writers, enqueue: outbox.enqueue });

  return {
    outbox,
    subscriptions,
    gateways,
    robots,
    worker,
    async stop() {
      stopBacklog();
      await feeder.stop();
      await worker.stop();
      poster.close();
    },
  };
}

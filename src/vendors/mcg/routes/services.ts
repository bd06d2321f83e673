import type { DeliveryRecord } from '../../../outbox/records';
import { contract } from '../contract';
import type { McgRoutes } from '../dialect';
import { invalidClient } from '../errors';
import { mcgCredentials } from '../credentials';

const view = (d: DeliveryRecord) => ({ id: d.id, state: d.state, channel: d.channel, destination: d.destination, attempts: d.attempts });

/** The common service access point: one consumption, one outbox delivery (201 with its Location). */
export function registerServiceRoutes({ route, services }: McgRoutes, prefix: string) {
  const { providerServices, outbox } = services;

  route(contract.dispatch, async (call, { body }) => {
    const app = call.caller ? await call.ctx.loaders.appById.load(call.caller.appId) : null;
    if (!app) throw invalidClient();
    const delivery = await providerServices.consume(call.ctx, mcgCredentials.of(app).providerId, {
      providerId: body.provider_id,
      serviceToken: body.service_token,
      serviceId: body.service_id,
      parameters: body.parameters,
    });
    return { status: 201, body: view(delivery), headers: { location: `${prefix}/Services/${delivery.id}` } };
  });

  route(contract.delivery, async (call, { params }) => ({ body: view(await outbox.get(call.ctx, params.id)) }));
}

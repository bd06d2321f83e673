import crypto from 'node:crypto';
import { Types } from 'mongoose';
import { sha256 } from '../apps/credentials';
import { insertNumbered, type CounterModel } from '../counters/counters';
import { isDuplicateKeyError } from '../db/errors';
import type { RequestContext } from '../domain/context';
import { conflict, DomainError, invalidInput, notFound } from '../domain/errors';
import { managedApp } from '../outbox/access';
import type { DeliveryRecord } from '../outbox/records';
import type { OutboxService } from '../outbox/service';
import { dispatchPayload } from './content';
import { SERVICE_KINDS, type ProviderServiceModels, type ServiceKind } from './model';

export interface ProviderServiceRecord {
  serviceId: number;
  kind: ServiceKind;
  appId: string;
  createdAt: Date;
}

export interface Consumption {
  providerId: number;
  serviceToken: string;
  serviceId: number;
  parameters: Record<string, unknown>;
}

export type ProviderServices = ReturnType<typeof createProviderServices>;

/**
 * Services an app's providers consume (`/Services`): each consumption spends a one-time service
 * token and hands one message to the outbox (a gateway channel, or IM inside the app).
 */
export function createProviderServices(deps: { models: ProviderServiceModels; counters: CounterModel; outbox: () => OutboxService }) {
  const { services, tokens, uses } = deps.models;

  async function newToken(appId: string, serviceId: number): Promise<string> {
    const token = crypto.randomUUID();
    await tokens.create({ _id: sha256(token), appId: new Types.ObjectId(appId), serviceId });
    return token;
  }

  return {
    /** Creates a service and its first service token (shown once). App principals or the operator. */
    async create(ctx: RequestContext, appId: string | null | undefined, kind: string) {
      const app = managedApp(ctx, appId);
      if (!SERVICE_KINDS.includes(kind as ServiceKind)) throw invalidInput(`kind must be one of ${SERVICE_KINDS.join(', ')}`, 'kind');
      const doc = await insertNumbered(deps.counters, `service:${app}`, (serviceId) =>
        services.create({ appId: new Types.ObjectId(app), serviceId, kind: kind as ServiceKind }),
      );
      return {
        service: { serviceId: doc.serviceId, kind: doc.kind, appId: app, createdAt: doc.createdAt },
        serviceToken: await newToken(app, doc.serviceId),
      };
    },

    /** Another one-time token for a service of the app. */
    async issueToken(ctx: RequestContext, appId: string | null | undefined, serviceId: number): Promise<string> {
      const app = managedApp(ctx, appId);
      if (!(await services.exists({ appId: new Types.ObjectId(app), serviceId }))) throw notFound('service', { field: 'serviceId' });
      return newToken(app, serviceId);
    },

    /**
     * One consumption by a provider of the app (the caller's principal): the service must be the
     * app's, the token one of its unused tokens (used → CONFLICT, unknown → FORBIDDEN).
     */
    async consume(ctx: RequestContext, providerIdOfApp: number, input: Consumption): Promise<DeliveryRecord> {
      const app = managedApp(ctx, null);
      if (input.providerId !== providerIdOfApp)
        throw new DomainError('FORBIDDEN', 'provider_id is not the caller', { reason: 'provider_mismatch' });
      const service = await services.findOne({ appId: new Types.ObjectId(app), serviceId: input.serviceId }).lean();
      if (!service) throw notFound('service', { field: 'service_id' });
      const key = sha256(input.serviceToken);
      const token = await tokens.findById(key).lean();
      if (!token || token.appId.toHexString() !== app || token.serviceId !== input.serviceId)
        throw new DomainError('FORBIDDEN', 'service_token is not a token of this service', { reason: 'bad_service_token' });
      const destination = input.parameters.destination;
      if (typeof destination !== 'string' || !destination.trim())
        throw invalidInput('parameters.destination is required', 'destination', 'required');
      const { channel, payload } = await dispatchPayload(service.kind, input.parameters);
      try {
        await uses.collection.insertOne({ _id: key } as never);
      } catch (e) {
        if (isDuplicateKeyError(e)) throw conflict('service_token was used already', { field: 'service_token', reason: 'token_used' });
        throw e;
      }
      return deps.outbox().sendOutbound(ctx, app, {
        channel,
        destination,
        payload: JSON.stringify({ ...payload, serviceId: input.serviceId }),
        idempotencyKey: `service:${key.slice(0, 40)}`,
      });
    },

    async list(ctx: RequestContext, appId?: string | null): Promise<ProviderServiceRecord[]> {
      const app = managedApp(ctx, appId);
      const docs = await services
        .find({ appId: new Types.ObjectId(app) })
        .sort({ serviceId: 1 })
        .lean();
      return docs.map((d) => ({ serviceId: d.serviceId, kind: d.kind, appId: app, createdAt: d.createdAt }));
    },
  };
}

import { Schema, Types, type Connection, type Model } from 'mongoose';

export const SERVICE_KINDS = ['notification', 'advertisement', 'qr_code', 'micro_payment'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

/** A service an app's providers may consume (`/Services`): what it sends. */
export interface ProviderServiceDoc {
  _id: Types.ObjectId;
  appId: Types.ObjectId;
  serviceId: number;
  kind: ServiceKind;
  createdAt: Date;
}

/** A one-time authorization to consume a service (`service_token`), kept as its SHA-256. */
export interface ServiceTokenDoc {
  _id: string;
  appId: Types.ObjectId;
  serviceId: number;
  createdAt: Date;
}

const serviceSchema = new Schema<ProviderServiceDoc>(
  {
    appId: { type: Schema.Types.ObjectId, required: true },
    serviceId: { type: Number, required: true },
    kind: { type: String, enum: SERVICE_KINDS, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
serviceSchema.index({ appId: 1, serviceId: 1 }, { unique: true });

const tokenSchema = new Schema<ServiceTokenDoc>(
  { _id: String, appId: { type: Schema.Types.ObjectId, required: true }, serviceId: { type: Number, required: true } },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);

/** A use of a service token: inserting it is the exclusive claim (a second use fails on the unique _id, on FerretDB too). */
interface TokenUseDoc {
  _id: string;
  deliveryId?: string;
}
const useSchema = new Schema<TokenUseDoc>({ _id: String, deliveryId: String }, { versionKey: false });

export function registerProviderServiceModels(connection: Connection) {
  return {
    services: connection.model<ProviderServiceDoc>('ProviderService', serviceSchema, 'provider_services') as Model<ProviderServiceDoc>,
    tokens: connection.model<ServiceTokenDoc>('ServiceToken', tokenSchema, 'provider_service_tokens') as Model<ServiceTokenDoc>,
    uses: connection.model<TokenUseDoc>('ServiceTokenUse', useSchema, 'provider_service_token_uses') as Model<TokenUseDoc>,
  };
}
export type ProviderServiceModels = ReturnType<typeof registerProviderServiceModels>;

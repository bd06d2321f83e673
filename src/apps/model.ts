import { Schema, Types, type Connection, type Model } from 'mongoose';

/** One tenant. Secrets are stored only as SHA-256 digests (see credentials.ts). */
export interface AppDoc {
  _id: Types.ObjectId;
  name: string;
  nameKey: string;
  openRegistration: boolean;
  easemob: { orgName: string; appName: string; clientId: string; clientSecretHash: string };
  gobelieve: { appId: number; appSecretMd5Hash: string };
  imbee: { authTokenHash: string; corporateKeyHash: string };
  mcg: { clientId: string; clientSecretHash: string; providerId: number };
  createdAt: Date;
  updatedAt: Date;
}

const appSchema = new Schema<AppDoc>(
  {
    name: { type: String, required: true },
    nameKey: { type: String, required: true },
    openRegistration: { type: Boolean, required: true, default: false },
    easemob: {
      orgName: { type: String, required: true },
      appName: { type: String, required: true },
      clientId: { type: String, required: true },
      clientSecretHash: { type: String, required: true },
    },
    gobelieve: {
      appId: { type: Number, required: true },
      appSecretMd5Hash: { type: String, required: true },
    },
    imbee: {
      authTokenHash: { type: String, required: true },
      corporateKeyHash: { type: String, required: true },
    },
    mcg: {
      clientId: { type: String, required: true },
      clientSecretHash: { type: String, required: true },
      providerId: { type: Number, required: true },
    },
  },
  { timestamps: true, versionKey: false },
);

appSchema.index({ nameKey: 1 }, { unique: true });
appSchema.index({ 'easemob.orgName': 1, 'easemob.appName': 1 }, { unique: true });
appSchema.index({ 'easemob.clientId': 1 }, { unique: true });
appSchema.index({ 'gobelieve.appId': 1 }, { unique: true });
appSchema.index({ 'imbee.authTokenHash': 1 }, { unique: true });
appSchema.index({ 'mcg.clientId': 1 }, { unique: true });
appSchema.index({ 'mcg.providerId': 1 }, { unique: true });

export type AppModel = Model<AppDoc>;

export function registerAppModel(connection: Connection): AppModel {
  return connection.model<AppDoc>('App', appSchema, 'apps');
}

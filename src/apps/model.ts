import { Schema, Types, type Connection, type Model } from 'mongoose';
import type { AnyCredentialKind } from './kinds';

/**
 * One tenant. Each registered credential kind owns one sub-document under its key (digests only,
 * see credentials.ts); the apps area stores it without reading it.
 */
export interface AppDoc {
  _id: Types.ObjectId;
  name: string;
  nameKey: string;
  openRegistration: boolean;
  createdAt: Date;
  updatedAt: Date;
  [kind: string]: unknown;
}

export type AppModel = Model<AppDoc>;

export function registerAppModel(connection: Connection, kinds: readonly AnyCredentialKind[]): AppModel {
  const schema = new Schema<AppDoc>(
    {
      name: { type: String, required: true },
      nameKey: { type: String, required: true },
      openRegistration: { type: Boolean, required: true, default: false },
    },
    { timestamps: true, versionKey: false },
  );
  schema.index({ nameKey: 1 }, { unique: true });
  for (const kind of kinds) {
    schema.add({ [kind.key]: new Schema(kind.fields, { _id: false }) });
    for (const paths of kind.unique ?? []) schema.index(Object.fromEntries(paths.map((p) => [`${kind.key}.${p}`, 1])), { unique: true });
  }
  return connection.model<AppDoc>('App', schema, 'apps');
}

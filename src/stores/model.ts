import { Schema, Types, type Connection, type Model } from 'mongoose';

/** A customer-service desk (a "store"): customers who open it chat with its supporter. */
export interface StoreDoc {
  _id: Types.ObjectId;
  appId: Types.ObjectId;
  /** Integer id per app (`store_id`). */
  storeId: number;
  name: string;
  supporterId: Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
}

const storeSchema = new Schema<StoreDoc>(
  {
    appId: { type: Schema.Types.ObjectId, required: true },
    storeId: { type: Number, required: true },
    name: { type: String, required: true },
    supporterId: { type: Schema.Types.ObjectId, required: true },
  },
  { timestamps: true, versionKey: false },
);
storeSchema.index({ appId: 1, storeId: 1 }, { unique: true });

export type StoreModel = Model<StoreDoc>;

export const registerStoreModel = (connection: Connection): StoreModel => connection.model<StoreDoc>('Store', storeSchema, 'stores');

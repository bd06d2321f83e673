import { Schema, Types, type Connection, type Model } from 'mongoose';

/** A directed edge owner → other: a contact, or a block (the owner refuses the other's messages). */
export interface EdgeDoc {
  _id: Types.ObjectId;
  appId: Types.ObjectId;
  ownerId: Types.ObjectId;
  otherId: Types.ObjectId;
  createdAt: Date;
}

function edgeSchema() {
  const s = new Schema<EdgeDoc>(
    {
      appId: { type: Schema.Types.ObjectId, required: true },
      ownerId: { type: Schema.Types.ObjectId, required: true },
      otherId: { type: Schema.Types.ObjectId, required: true },
    },
    { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
  );
  s.index({ ownerId: 1, otherId: 1 }, { unique: true });
  s.index({ otherId: 1 });
  return s;
}

export type EdgeModel = Model<EdgeDoc>;

export function registerEdgeModels(connection: Connection) {
  return {
    contacts: connection.model<EdgeDoc>('Contact', edgeSchema(), 'contacts'),
    blocks: connection.model<EdgeDoc>('Block', edgeSchema(), 'blocks'),
  };
}

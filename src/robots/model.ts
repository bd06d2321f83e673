import { Schema, Types, type Connection, type Model } from 'mongoose';

/** A user of the app that programs drive: it signs its calls with a secret and hears its messages at a callback URL. */
export interface RobotDoc {
  _id: Types.ObjectId;
  appId: Types.ObjectId;
  userId: Types.ObjectId;
  /** The robot id callers send (`rid`): its username as typed. */
  rid: string;
  /** Lower-cased rid, unique across apps: a signed call names only its robot. */
  ridKey: string;
  /** The signing secret, sealed (src/db/secret-box.ts): signatures need it in clear text. */
  sealedSecret: string;
  callbackUrl?: string;
  createdAt: Date;
  updatedAt: Date;
}

const robotSchema = new Schema<RobotDoc>(
  {
    appId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    rid: { type: String, required: true },
    ridKey: { type: String, required: true },
    sealedSecret: { type: String, required: true },
    callbackUrl: String,
  },
  { timestamps: true, versionKey: false },
);
robotSchema.index({ ridKey: 1 }, { unique: true });
robotSchema.index({ userId: 1 }, { unique: true });
robotSchema.index({ appId: 1 });

export type RobotModel = Model<RobotDoc>;

export const registerRobotModel = (connection: Connection): RobotModel => connection.model<RobotDoc>('Robot', robotSchema, 'robots');

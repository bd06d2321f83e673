import { Schema, Types, type Connection, type Model } from 'mongoose';

export const PUSH_PROVIDERS = ['apns', 'pushkit', 'xg', 'xm', 'hw', 'gcm', 'jp', 'fcm'] as const;
export type PushProvider = (typeof PUSH_PROVIDERS)[number];

export interface UserDoc {
  _id: Types.ObjectId;
  appId: Types.ObjectId;
  /** As registered (case kept); uniqueness is on `usernameKey`. */
  username: string;
  usernameKey: string;
  /**
   * `customer`: a store's customer, never one of the app's users: its `usernameKey` is
   * `customer:<id>`, which no username can be, and no lookup by username or reference finds it.
   */
  kind?: 'customer';
  /** Stable public entity id (the dialects' entity `uuid`). */
  uuid: string;
  passwordHash: string;
  nickname?: string;
  activated: boolean;
  notification: {
    displayStyle?: 0 | 1;
    noDisturbing?: boolean;
    noDisturbingStart?: number;
    noDisturbingEnd?: number;
    /** groupId → push muted (`notification_ignore_<groupid>`). */
    groupMutes?: Map<string, boolean> | Record<string, boolean>;
    /** The phone's own mute (`mute`): push without sound. */
    muted?: boolean;
    /** Users whose messages raise no push for this user (per-peer `do_not_disturb`). */
    peerDoNotDisturb?: Types.ObjectId[];
  };
  /** Banned from sending on every surface (`forbidden`). */
  forbidden?: boolean;
  /** notifierName: the push certificate's name (`notifier_name`), when the client gave one. */
  deviceTokens: { provider: PushProvider; token: string; notifierName?: string; deviceId?: string; updatedAt: Date }[];
  profile: { displayName?: string; mobile?: string; email?: string; portrait?: string };
  createdAt: Date;
  updatedAt: Date;
}

const userSchema = new Schema<UserDoc>(
  {
    appId: { type: Schema.Types.ObjectId, required: true },
    username: { type: String, required: true },
    usernameKey: { type: String, required: true },
    kind: { type: String, enum: ['customer'] },
    uuid: { type: String, required: true },
    passwordHash: { type: String, required: true },
    nickname: String,
    activated: { type: Boolean, required: true, default: true },
    notification: {
      displayStyle: Number,
      noDisturbing: Boolean,
      noDisturbingStart: Number,
      noDisturbingEnd: Number,
      groupMutes: { type: Map, of: Boolean },
      muted: Boolean,
      peerDoNotDisturb: { type: [Schema.Types.ObjectId], default: undefined },
    },
    forbidden: Boolean,
    deviceTokens: [
      {
        _id: false,
        provider: { type: String, enum: PUSH_PROVIDERS, required: true },
        token: String,
        notifierName: String,
        deviceId: String,
        updatedAt: Date,
      },
    ],
    profile: { displayName: String, mobile: String, email: String, portrait: String },
  },
  { timestamps: true, versionKey: false, minimize: true },
);

userSchema.index({ appId: 1, usernameKey: 1 }, { unique: true });
// Cursor paging and "delete the oldest N" walk this index in creation order.
userSchema.index({ appId: 1, _id: 1 });
userSchema.index({ appId: 1, uuid: 1 }, { unique: true });
// The robot API's user lookup finds users by mobile.
userSchema.index({ appId: 1, 'profile.mobile': 1 });

export type UserModel = Model<UserDoc>;

export function registerUserModel(connection: Connection): UserModel {
  return connection.model<UserDoc>('User', userSchema, 'users');
}

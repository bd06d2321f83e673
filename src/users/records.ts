import type { UserDoc } from './model';
import { PUSH_PROVIDERS, type PushProvider } from './model';

export { PUSH_PROVIDERS, type PushProvider };

/** The domain view of a user, shared by every surface. No password hash. */
export interface UserRecord {
  id: string;
  appId: string;
  username: string;
  uuid: string;
  /** A store's customer (their own namespace), not a user of the app. */
  customer: boolean;
  nickname: string | null;
  activated: boolean;
  notification: {
    displayStyle: 0 | 1 | null;
    doNotDisturb: { enabled: boolean | null; startHour: number | null; endHour: number | null };
    groupMutes: Record<string, boolean>;
    muted: boolean;
    /** User ids whose messages raise no push for this user. */
    peerDoNotDisturb: string[];
  };
  forbidden: boolean;
  deviceTokens: { provider: PushProvider; token: string; notifierName: string | null; deviceId: string | null; updatedAt: Date }[];
  profile: { displayName: string | null; mobile: string | null; email: string | null; portrait: string | null };
  createdAt: Date;
  updatedAt: Date;
}

export function toUserRecord(d: UserDoc): UserRecord {
  const n = d.notification ?? {};
  const mutes = n.groupMutes instanceof Map ? Object.fromEntries(n.groupMutes) : { ...(n.groupMutes ?? {}) };
  return {
    id: d._id.toHexString(),
    appId: d.appId.toHexString(),
    username: d.username,
    uuid: d.uuid,
    customer: d.kind === 'customer',
    nickname: d.nickname ?? null,
    activated: d.activated,
    notification: {
      displayStyle: n.displayStyle ?? null,
      doNotDisturb: {
        enabled: n.noDisturbing ?? null,
        startHour: n.noDisturbingStart ?? null,
        endHour: n.noDisturbingEnd ?? null,
      },
      groupMutes: mutes,
      muted: n.muted ?? false,
      peerDoNotDisturb: (n.peerDoNotDisturb ?? []).map((id) => id.toHexString()),
    },
    forbidden: d.forbidden ?? false,
    deviceTokens: (d.deviceTokens ?? []).map((t) => ({
      provider: t.provider,
      token: t.token,
      notifierName: t.notifierName ?? null,
      deviceId: t.deviceId ?? null,
      updatedAt: t.updatedAt,
    })),
    profile: {
      displayName: d.profile?.displayName ?? null,
      mobile: d.profile?.mobile ?? null,
      email: d.profile?.email ?? null,
      portrait: d.profile?.portrait ?? null,
    },
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

/** Opaque cursor over the (appId, _id) index: creation order, stable under inserts. */
export const encodeUserCursor = (id: string) => Buffer.from(`u:${id}`).toString('base64url');
export function decodeUserCursor(cursor: string): string | undefined {
  const raw = Buffer.from(cursor, 'base64url').toString();
  return /^u:[0-9a-f]{24}$/.test(raw) ? raw.slice(2) : undefined;
}

export type NotificationRecord = UserRecord['notification'];

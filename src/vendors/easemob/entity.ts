import crypto from 'node:crypto';
import type { UserRecord } from '../../users/records';

/** A stable name-based (version 5 layout) UUID for an id of ours under a namespace. */
export function derivedUuid(namespace: string, id: string): string {
  const h = crypto.createHash('sha1').update(`${namespace}:${id}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The Usergrid `application` UUID of an app: derived from its id, so it never changes. */
export const applicationUuid = (appId: string) => derivedUuid('easemob-app', appId);

/** A user as a Usergrid entity; notification fields appear only once they are set. */
export function userEntity(u: UserRecord): Record<string, unknown> {
  const e: Record<string, unknown> = {
    uuid: u.uuid,
    type: 'user',
    created: u.createdAt.getTime(),
    modified: u.updatedAt.getTime(),
    username: u.username,
    activated: u.activated,
  };
  if (u.nickname != null) e.nickname = u.nickname;
  const n = u.notification;
  if (n.doNotDisturb.enabled != null) e.notification_no_disturbing = n.doNotDisturb.enabled;
  if (n.doNotDisturb.startHour != null) e.notification_no_disturbing_start = n.doNotDisturb.startHour;
  if (n.doNotDisturb.endHour != null) e.notification_no_disturbing_end = n.doNotDisturb.endHour;
  if (n.displayStyle != null) e.notification_display_style = n.displayStyle;
  for (const [groupId, muted] of Object.entries(n.groupMutes)) e[`notification_ignore_${groupId}`] = muted;
  const latest = [...u.deviceTokens].sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())[0];
  if (latest) {
    e.notifier_name = latest.notifierName ?? latest.provider;
    e.device_token = latest.token;
    if (latest.deviceId) e.device_id = latest.deviceId;
  }
  return e;
}

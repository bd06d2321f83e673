import type { RequestContext } from '../domain/context';
import type { Types } from 'mongoose';
import { forbidden, invalidInput, notFound } from '../domain/errors';
import { checkEmail, checkHour, checkMobile, checkText, checkUrl } from '../domain/validators';
import { writableTarget } from './access';
import type { UserDoc } from './model';
import { hashPassword, verifyPassword } from './password';
import { toUserRecord, type PushProvider, type UserRecord } from './records';
import { checkGroupId, checkPassword } from './rules';
import type { UserRef, UserStore } from './store';

export interface ProfileInput {
  displayName?: string | null;
  mobile?: string | null;
  email?: string | null;
  portrait?: string | null;
}
export interface NotificationInput {
  displayStyle?: 0 | 1 | null;
  doNotDisturb?: { enabled: boolean; startHour?: number | null; endHour?: number | null } | null;
  groupMutes?: { groupId: string; muted: boolean }[] | null;
  /** The phone's own mute. */
  muted?: boolean | null;
}
/** Several settings in one call (a dialect's user update); at least one is required. */
export interface UserSettingsInput {
  nickname?: string | null;
  notification?: NotificationInput;
  deviceToken?: { provider: PushProvider; token: string; notifierName: string | null; deviceId?: string | null };
  /** Pushes from one peer on or off. */
  peerDoNotDisturb?: { peer: UserRef; on: boolean };
  /** App principals only: ban (or allow again) the user from sending. */
  forbidden?: boolean;
}

export interface UserSettingsLimits {
  /** Per-group push mutes a user may keep (each is a key of the user record, read on every lookup). */
  groupMutes: number;
  peerDoNotDisturb: number;
}

type Change = { $set: Record<string, unknown>; $unset: Record<string, 1> };
const isEmpty = (c: Change) => Object.keys(c.$set).length + Object.keys(c.$unset).length === 0;

/** Profile, notification settings, password and push device tokens of one user. */
export function createUserSettings(deps: {
  store: UserStore;
  revokeTokens(appId: string, userIds: string[], keepTokenId?: string): Promise<void>;
  limits: UserSettingsLimits;
  /** Which of `groupIds` are live groups of the app that `userId` belongs to (the groups area answers). */
  memberGroupIds(ctx: RequestContext, appId: string, userId: string, groupIds: string[]): Promise<Set<string>>;
}) {
  const { store, limits } = deps;
  const done = (ctx: RequestContext, r: UserRecord) => (ctx.loaders.userById.clear(r.id), r);

  function profileChange(patch: { nickname?: string | null; profile?: ProfileInput | null }, c: Change) {
    if (patch.nickname !== undefined) {
      if (patch.nickname === null || patch.nickname === '') c.$unset.nickname = 1;
      else c.$set.nickname = checkText(patch.nickname, 100, 'nickname');
    }
    for (const [k, v] of Object.entries(patch.profile ?? {})) {
      if (v === null || v === '') c.$unset[`profile.${k}`] = 1;
      else for (const [field, value] of Object.entries(profileFields({ [k]: v }, 'profile.'))) c.$set[`profile.${field}`] = value;
    }
  }

  function notificationChange(input: NotificationInput, c: Change) {
    if (input.displayStyle !== undefined && input.displayStyle !== null) {
      if (input.displayStyle !== 0 && input.displayStyle !== 1) throw invalidInput('displayStyle must be 0 or 1', 'displayStyle');
      c.$set['notification.displayStyle'] = input.displayStyle;
    }
    const dnd = input.doNotDisturb;
    if (dnd) {
      c.$set['notification.noDisturbing'] = dnd.enabled;
      if (dnd.enabled) {
        if (dnd.startHour == null || dnd.endHour == null)
          throw invalidInput('startHour and endHour are required to enable do-not-disturb', 'doNotDisturb');
        c.$set['notification.noDisturbingStart'] = checkHour(dnd.startHour, 'doNotDisturb.startHour');
        c.$set['notification.noDisturbingEnd'] = checkHour(dnd.endHour, 'doNotDisturb.endHour');
      } else {
        c.$unset['notification.noDisturbingStart'] = 1;
        c.$unset['notification.noDisturbingEnd'] = 1;
      }
    }
    if (input.muted != null) c.$set['notification.muted'] = input.muted;
    for (const [i, m] of (input.groupMutes ?? []).entries())
      c.$set[`notification.groupMutes.${checkGroupId(m.groupId, `groupMutes.${i}.groupId`)}`] = m.muted;
  }

  function checkDeviceToken(token: string, notifierName?: string | null) {
    if (!token || token.length > 512) throw invalidInput('token must be 1 to 512 characters', 'token');
    if (notifierName != null) checkText(notifierName, 128, 'notifierName');
  }
  const withToken =
    (provider: PushProvider, token: string, notifierName?: string | null, deviceId?: string | null) =>
    (tokens: UserDoc['deviceTokens']) => [
      ...tokens.filter((t) => t.provider !== provider),
      { provider, token, ...(notifierName ? { notifierName } : {}), ...(deviceId ? { deviceId } : {}), updatedAt: new Date() },
    ];

  /** The user's per-peer do-not-disturb list with one peer switched on or off. */
  async function peerList(doc: UserDoc, change: { peer: UserRef; on: boolean }): Promise<Types.ObjectId[]> {
    const peer = await store.findByRef(doc.appId.toHexString(), change.peer);
    if (!peer) throw notFound('user', { field: 'peer' });
    const rest = (doc.notification?.peerDoNotDisturb ?? []).filter((id) => !id.equals(peer._id));
    if (change.on && rest.length >= limits.peerDoNotDisturb)
      throw invalidInput(`at most ${limits.peerDoNotDisturb} peers`, 'peer', 'limit_exceeded');
    return change.on ? [...rest, peer._id] : rest;
  }

  /**
   * The user's group mutes after the change: bounded (a user record must not grow without limit),
   * and only for groups the user belongs to, except switching off a mute the user already has
   * (a group left or dissolved). Unknown groups and others' groups get the same answer.
   */
  async function checkGroupMutes(ctx: RequestContext, doc: UserDoc, c: Change) {
    const prefix = 'notification.groupMutes.';
    const changed = Object.keys(c.$set).filter((k) => k.startsWith(prefix));
    if (changed.length === 0) return;
    const g = doc.notification?.groupMutes;
    const existing = new Set(g instanceof Map ? g.keys() : Object.keys(g ?? {}));
    const all = new Set([...existing, ...changed.map((k) => k.slice(prefix.length))]);
    if (all.size > limits.groupMutes)
      throw invalidInput(`at most ${limits.groupMutes} group mutes per user`, 'groupMutes', 'limit_exceeded');
    const toCheck = changed.map((k) => k.slice(prefix.length)).filter((id) => c.$set[prefix + id] === true || !existing.has(id));
    if (toCheck.length === 0) return;
    const mine = await deps.memberGroupIds(ctx, doc.appId.toHexString(), doc._id.toHexString(), toCheck);
    const foreign = toCheck.find((id) => !mine.has(id));
    if (foreign !== undefined) throw invalidInput(`not a member of group ${foreign}`, 'groupMutes', 'not_a_member');
  }

  async function apply(ctx: RequestContext, ref: UserRef | null | undefined, change: Change) {
    if (isEmpty(change)) throw invalidInput('nothing to update', 'input');
    const doc = await writableTarget(store, ctx, ref);
    await checkGroupMutes(ctx, doc, change);
    return done(ctx, await store.update(doc._id, change));
  }

  return {
    updateProfile(
      ctx: RequestContext,
      ref: UserRef | null | undefined,
      patch: { nickname?: string | null; profile?: ProfileInput | null },
    ) {
      const c: Change = { $set: {}, $unset: {} };
      profileChange(patch, c);
      return apply(ctx, ref, c);
    },

    updateNotificationSettings(ctx: RequestContext, ref: UserRef | null | undefined, input: NotificationInput) {
      const c: Change = { $set: {}, $unset: {} };
      notificationChange(input, c);
      return apply(ctx, ref, c);
    },

    /** Nickname, notification settings and a device token in one call; all are checked before anything is written. */
    async applySettings(ctx: RequestContext, ref: UserRef, input: UserSettingsInput): Promise<UserRecord> {
      const c: Change = { $set: {}, $unset: {} };
      if (input.nickname !== undefined) profileChange({ nickname: input.nickname }, c);
      if (input.notification) notificationChange(input.notification, c);
      const t = input.deviceToken;
      if (t) checkDeviceToken(t.token, t.notifierName);
      if (t?.deviceId != null) checkText(t.deviceId, 128, 'deviceId');
      if (input.forbidden !== undefined) {
        if (ctx.principal.kind !== 'app') throw forbidden('only the app can forbid a user to send');
        c.$set.forbidden = input.forbidden;
      }
      if (!t && !input.peerDoNotDisturb && isEmpty(c)) {
        throw invalidInput('nothing to update: give nickname, notification_* or device_token', 'input');
      }
      let doc = await writableTarget(store, ctx, ref);
      await checkGroupMutes(ctx, doc, c);
      if (input.peerDoNotDisturb) c.$set['notification.peerDoNotDisturb'] = await peerList(doc, input.peerDoNotDisturb);
      if (!isEmpty(c)) doc = await store.updateDoc(doc._id, c);
      return done(
        ctx,
        t ? await store.updateDeviceTokens(doc, withToken(t.provider, t.token, t.notifierName, t.deviceId)) : toUserRecord(doc),
      );
    },

    /** A user must prove the old password; an app principal resets it. Other sessions are revoked. */
    async changePassword(
      ctx: RequestContext,
      ref: UserRef | null | undefined,
      input: { oldPassword?: string | null; newPassword: string },
    ) {
      const doc = await writableTarget(store, ctx, ref);
      const newPassword = checkPassword(input.newPassword, 'newPassword');
      if (ctx.principal.kind === 'user') {
        if (!input.oldPassword) throw invalidInput('oldPassword is required', 'oldPassword');
        if (!(await verifyPassword(doc.passwordHash, input.oldPassword)))
          throw invalidInput('oldPassword is wrong', 'oldPassword', 'wrong_password');
      }
      const record = done(ctx, await store.update(doc._id, { $set: { passwordHash: await hashPassword(newPassword) } }));
      await deps.revokeTokens(record.appId, [record.id], ctx.principal.kind === 'user' ? ctx.principal.tokenId : undefined);
      return record;
    },

    async setDeviceToken(
      ctx: RequestContext,
      ref: UserRef | null | undefined,
      provider: PushProvider,
      token: string,
      notifierName?: string | null,
    ) {
      checkDeviceToken(token, notifierName);
      const doc = await writableTarget(store, ctx, ref);
      return done(ctx, await store.updateDeviceTokens(doc, withToken(provider, token, notifierName)));
    },

    async removeDeviceToken(ctx: RequestContext, ref: UserRef | null | undefined, provider: PushProvider) {
      const doc = await writableTarget(store, ctx, ref);
      return done(ctx, await store.updateDeviceTokens(doc, (tokens) => tokens.filter((t) => t.provider !== provider)));
    },
  };
}

/** Checked profile fields; unknown fields are refused. */
export function profileFields(p: ProfileInput, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(p)) {
    if (v === null || v === undefined || v === '') continue;
    if (k === 'displayName') out.displayName = checkText(v, 100, `${prefix}displayName`);
    else if (k === 'email') out.email = checkEmail(v, `${prefix}email`);
    else if (k === 'mobile') out.mobile = checkMobile(v, `${prefix}mobile`);
    else if (k === 'portrait') out.portrait = checkUrl(v, `${prefix}portrait`);
    else throw invalidInput(`unknown profile field ${k}`, `${prefix}${k}`);
  }
  return out;
}

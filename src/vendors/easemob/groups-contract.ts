import { z } from 'zod';
import { appPath, boolLike, intLike, jsonBody, name, spec, userPath } from './contract';
import { scopedSpecs } from './scoped-contract';
import { easemobError } from './errors';
import type { DomainError } from '../../domain/errors';

/**
 * The chat-group endpoints of the Easemob / Agora Chat Platform API beyond the seed document (its
 * real "chat group management" pages), with the schema of each input. Group ids are the domain's
 * numeric group ids, the same ones GoBelieve and GraphQL use.
 */

const usernames = z.object({ usernames: z.array(name).min(1, 'usernames must not be empty').max(60, 'at most 60 usernames per call') });
const flag = boolLike.optional();

export const profileFields = {
  groupname: z.string().max(128).optional(),
  avatar: z.string().max(1024).optional(),
  description: z.string().max(512).optional(),
  public: flag,
  maxusers: intLike.optional(),
  allowinvites: flag,
  membersonly: flag,
  invite_need_confirm: flag,
  custom: z.string().max(8192).optional(),
  /** The web SDK's name for `description`; `approval` is sent by it and has no effect here. */
  desc: z.string().max(512).optional(),
  approval: flag,
};

/** A group that does not exist (or, to a user, one they are not in), as the real service words it. */
const groupErrors = {
  NOT_FOUND: (e: DomainError, input?: { params: { group_id: number } }) =>
    (e.details.field === 'groupId' || e.details.field === 'conversationId') && input
      ? easemobError(404, 'resource_not_found', `grpID ${input.params.group_id} does not exist!`)
      : undefined,
};
const { one: g, user: gu, names: gl } = scopedSpecs('chatgroups', 'group_id', groupErrors, 60, 'member');

export const groupContract = {
  create: spec({
    method: 'POST',
    path: '/:org_name/:app_name/chatgroups',
    access: 'member',
    body: jsonBody(z.object({ ...profileFields, owner: name, members: z.array(name).max(2000).optional() })),
  }),
  list: spec({
    method: 'GET',
    path: '/:org_name/:app_name/chatgroups',
    access: 'app',
    query: z.object({ limit: intLike.pipe(z.number().min(1).max(1000)).optional(), cursor: z.string().max(128).optional() }),
  }),
  /** The app's public groups: what a user token may list (the SDKs' `getPublicGroups`). */
  listPublic: spec({
    method: 'GET',
    path: '/:org_name/:app_name/publicchatgroups',
    access: 'member',
    query: z.object({
      limit: intLike.pipe(z.number().min(1).max(1000)).optional(),
      cursor: z.string().max(128).optional(),
      version: z.string().max(8).optional(),
    }),
  }),
  details: spec({
    method: 'GET',
    path: '/:org_name/:app_name/chatgroups/:group_ids',
    access: 'member',
    params: z.object({
      ...appPath,
      group_ids: z
        .string()
        .max(100 * 17)
        .transform((v) => v.split(',').filter(Boolean))
        .pipe(
          z
            .array(z.string().regex(/^[1-9]\d{0,15}$/, 'group ids are numbers'))
            .min(1)
            .max(100, 'at most 100 groups per call'),
        ),
    }),
  }),
  /** Modify, or (with `newowner`) transfer the ownership: the same PUT. */
  modify: g('PUT', '', { body: jsonBody(z.object({ ...profileFields, newowner: name.optional() })) }),
  remove: g('DELETE', ''),
  joined: spec({
    method: 'GET',
    path: '/:org_name/:app_name/users/:username/joined_chatgroups',
    access: 'self',
    params: userPath,
    query: z.object({
      pagesize: intLike.pipe(z.number().min(1).max(1000)).optional(),
      pagenum: intLike.pipe(z.number().min(1)).optional(),
      version: z.string().max(8).optional(),
    }),
  }),

  /** The SDKs' joined groups with counts and roles (`needAffiliations`/`needRole`): pages count from 0. */
  joinedDetailed: spec({
    method: 'GET',
    path: '/:org_name/:app_name/chatgroups/user/:username',
    access: 'self',
    params: userPath,
    query: z.object({
      pagesize: intLike.pipe(z.number().min(1).max(1000)).optional(),
      pagenum: intLike.pipe(z.number().min(0).max(100_000)).optional(),
      needAffiliations: z.string().max(8).optional(),
      needRole: z.string().max(8).optional(),
      version: z.string().max(8).optional(),
    }),
  }),

  members: g('GET', '/users', {
    query: z.object({
      pagesize: intLike.pipe(z.number().min(1).max(1000)).optional(),
      pagenum: intLike.pipe(z.number().min(1)).optional(),
    }),
  }),
  addMember: gu('POST', '/users'),
  addMembers: g('POST', '/users', { body: jsonBody(usernames) }),
  removeMembers: gl('/users'),
  /** A member adds others where the group allows invites (the SDKs' `inviteUsersToGroup`). */
  invite: g('POST', '/invite', { body: jsonBody(usernames) }),
  /** The caller leaves (a user token; the owner cannot). */
  quit: g('DELETE', '/quit'),

  admins: g('GET', '/admin'),
  addAdmin: g('POST', '/admin', { body: jsonBody(z.object({ newadmin: name })) }),
  removeAdmin: gu('DELETE', '/admin'),

  muted: g('GET', '/mute'),
  mute: g('POST', '/mute', { body: jsonBody(usernames.extend({ mute_duration: intLike })) }),
  unmute: gl('/mute'),
  muteAll: g('POST', '/ban'),
  unmuteAll: g('DELETE', '/ban'),

  blocked: g('GET', '/blocks/users'),
  block: gu('POST', '/blocks/users'),
  blockMany: g('POST', '/blocks/users', { body: jsonBody(usernames) }),
  unblock: gl('/blocks/users'),

  announcement: g('GET', '/announcement'),
  setAnnouncement: g('POST', '/announcement', { body: jsonBody(z.object({ announcement: z.string().max(512) })) }),
};

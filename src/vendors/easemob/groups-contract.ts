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
};

/** A group that does not exist (or is not the caller's), as the real service words it. */
const groupErrors = {
  NOT_FOUND: (e: DomainError, input?: { params: { group_id: number } }) =>
    e.details.field === 'groupId' && input
      ? easemobError(404, 'resource_not_found', `grpID ${input.params.group_id} does not exist!`)
      : undefined,
};
const { one: g, user: gu, names: gl } = scopedSpecs('chatgroups', 'group_id', groupErrors, 60);

export const groupContract = {
  create: spec({
    method: 'POST',
    path: '/:org_name/:app_name/chatgroups',
    access: 'app',
    body: jsonBody(z.object({ ...profileFields, owner: name, members: z.array(name).max(2000).optional() })),
  }),
  list: spec({
    method: 'GET',
    path: '/:org_name/:app_name/chatgroups',
    access: 'app',
    query: z.object({ limit: intLike.pipe(z.number().min(1).max(1000)).optional(), cursor: z.string().max(128).optional() }),
  }),
  details: spec({
    method: 'GET',
    path: '/:org_name/:app_name/chatgroups/:group_ids',
    access: 'app',
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

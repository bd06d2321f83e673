import { z } from 'zod';
import { appPath, intLike, jsonBody, name, spec, userPath } from './contract';
import { scopedSpecs } from './scoped-contract';
import { easemobError } from './errors';
import type { DomainError } from '../../domain/errors';

/**
 * The chat-room endpoints of the Easemob / Agora Chat Platform API (its "chat room management"
 * pages). Room ids are the domain's numeric room ids: the GoBelieve room ids, GraphQL `enterRoom`.
 */

const idPattern = /^[1-9]\d{0,15}$/;
const pages = z.object({
  pagesize: intLike.pipe(z.number().min(1).max(1000)).optional(),
  pagenum: intLike.pipe(z.number().min(1)).optional(),
});

/** A room that does not exist (or is not the app's), as the real service words it. */
const roomErrors = {
  NOT_FOUND: (e: DomainError, input?: { params: { chatroom_id: number } }) =>
    e.details.field === 'roomId' && input
      ? easemobError(404, 'service_resource_not_found', `do not find this group:${input.params.chatroom_id}`)
      : undefined,
};
const { one: r, user: ru, names: rl } = scopedSpecs('chatrooms', 'chatroom_id', roomErrors, 100, 'member');

export const roomContract = {
  create: spec({
    method: 'POST',
    path: '/:org_name/:app_name/chatrooms',
    access: 'app',
    body: jsonBody(
      z.object({
        name: z.string().min(1, 'name must not be empty').max(128),
        description: z.string().max(512).default(''),
        maxusers: intLike.pipe(z.number().min(1).max(10_000)).optional(),
        owner: name,
        members: z.array(name).max(1000).optional(),
        custom: z.string().max(8192).optional(),
      }),
    ),
  }),
  list: spec({
    method: 'GET',
    path: '/:org_name/:app_name/chatrooms',
    access: 'member',
    query: z.object({
      limit: intLike.pipe(z.number().min(1).max(100)).optional(),
      cursor: z.string().max(128).optional(),
      /** The client SDKs page by number instead. */
      pagenum: intLike.pipe(z.number().min(1).max(100_000)).optional(),
      pagesize: intLike.pipe(z.number().min(1).max(100)).optional(),
    }),
  }),
  details: spec({
    method: 'GET',
    path: '/:org_name/:app_name/chatrooms/:chatroom_ids',
    access: 'member',
    params: z.object({
      ...appPath,
      chatroom_ids: z
        .string()
        .max(100 * 17)
        .transform((v) => v.split(',').filter(Boolean))
        .pipe(z.array(z.string().regex(idPattern, 'chat room ids are numbers')).min(1).max(100, 'at most 100 chat rooms per call')),
    }),
  }),
  /**
   * Only these three may change (the name also as the SDKs' `groupname`); anything else is refused
   * (400), as the vendor documents it.
   */
  modify: r('PUT', '', {
    body: jsonBody(
      z.strictObject(
        {
          name: z.string().min(1).max(128).optional(),
          /** What the client SDKs send for `name`. */
          groupname: z.string().min(1).max(128).optional(),
          description: z.string().max(512).optional(),
          maxusers: intLike.pipe(z.number().min(1).max(10_000)).optional(),
        },
        { error: 'only name, description and maxusers can be changed' },
      ),
    ),
  }),
  remove: r('DELETE', ''),
  joined: spec({
    method: 'GET',
    path: '/:org_name/:app_name/users/:username/joined_chatrooms',
    access: 'self',
    params: userPath,
    query: pages,
  }),

  members: r('GET', '/users', { query: pages }),
  addMember: ru('POST', '/users'),
  addMembers: r('POST', '/users', {
    body: jsonBody(z.object({ usernames: z.array(name).min(1, 'usernames must not be empty').max(100, 'at most 100 usernames per call') })),
  }),
  removeMembers: rl('/users'),

  admins: r('GET', '/admin'),
  addAdmin: r('POST', '/admin', { body: jsonBody(z.object({ newadmin: name })) }),
  removeAdmin: ru('DELETE', '/admin'),

  announcement: r('GET', '/announcement'),
  setAnnouncement: r('POST', '/announcement', { body: jsonBody(z.object({ announcement: z.string().max(512) })) }),
};

import { z } from 'zod';
import type { RouteSpec } from '../kit/router';
import { payload } from './contract';
import type { WildfireAccess, WildfireCall } from './dialect';

/**
 * The robot API's group calls, as the vendor's SDKs send them (Java `RobotService`, Python
 * `robot_service.py`): snake_case `group_id` on writes, `groupId` on the two reads, members as
 * `PojoGroupMember` objects where they are created and as user ids elsewhere. At most 500 members a call.
 */
const spec = <B = unknown>(s: RouteSpec<WildfireAccess, B, unknown, unknown, WildfireCall>) => s;
const id = z.string().min(1).max(64);
const groupId = z.union([id, z.number().int().nonnegative().transform(String)]);
const member = z.object({
  member_id: id,
  alias: z.string().max(64).optional(),
  type: z.number().int().optional(),
  extra: z.string().max(1_024).optional(),
});
const ids = z.array(id).min(1).max(500);
/** What every write may carry: lines to sync to (there is one here) and a message to send to the group after it. */
const notify = { to_lines: z.array(z.number().int()).max(16).optional(), notify_message: payload.nullish() };
const post = <B>(path: string, body: z.ZodType<B>) => spec({ method: 'POST', path: `/robot/group/${path}`, access: 'robot', body });

export const groupContract = {
  create: post(
    'create',
    z.object({
      group: z.object({
        group_info: z.object({
          target_id: z.string().max(64).optional(),
          name: z.string().max(100).optional(),
          portrait: z.string().max(2_048).optional(),
          owner: z.string().max(64).optional(),
          type: z.number().int().optional(),
          extra: z.string().max(4_000).optional(),
        }),
        members: z.array(member).max(500).default([]),
      }),
      member_extra: z.string().max(1_024).optional(),
      ...notify,
    }),
  ),
  dismiss: post('del', z.object({ group_id: groupId, ...notify })),
  info: post('get_info', z.object({ groupId })),
  members: post('member/list', z.object({ groupId })),
  member: post('member/get', z.object({ groupId, memberId: id })),
  add: post('member/add', z.object({ group_id: groupId, members: z.array(member).min(1).max(500), ...notify })),
  kick: post('member/del', z.object({ group_id: groupId, members: ids, ...notify })),
  quit: post('member/quit', z.object({ group_id: groupId, ...notify })),
  modify: post('modify', z.object({ group_id: groupId, type: z.number().int(), value: z.string().max(4_000), ...notify })),
  transfer: post('transfer', z.object({ group_id: groupId, new_owner: id, ...notify })),
  setManager: post('manager/set', z.object({ group_id: groupId, members: ids, is_manager: z.boolean(), ...notify })),
  mute: post('manager/mute', z.object({ group_id: groupId, members: ids, is_mute: z.boolean(), ...notify })),
  allow: post('manager/allow', z.object({ group_id: groupId, members: ids, is_allow: z.boolean(), ...notify })),
  alias: post('member/set_alias', z.object({ group_id: groupId, memberId: id, alias: z.string().max(64), ...notify })),
  extra: post('member/set_extra', z.object({ group_id: groupId, memberId: id, extra: z.string().max(1_024), ...notify })),
};

import { invalidInput } from '../domain/errors';
import { checkText } from '../domain/validators';
import type { GroupDoc } from './model';

export const MAX_GROUP_MEMBERS = 2000;

/** What a group says about itself and who may join: the group settings, shared by every surface. */
export interface GroupProfile {
  description: string;
  avatar: string;
  custom: string;
  announcement: string;
  public: boolean;
  /** Including the owner; at most MAX_GROUP_MEMBERS. */
  maxUsers: number;
  /** Joining a public group needs an owner's or admin's approval. */
  membersOnly: boolean;
  /** Ordinary members may add others (groups made before these settings existed: yes). */
  allowInvites: boolean;
}

export interface GroupRecord extends GroupProfile {
  id: string;
  appId: string;
  groupId: number;
  name: string;
  ownerId: string;
  super: boolean;
  conversationId: string;
  dissolved: boolean;
  /** Users removed and kept out (the group blocklist). */
  blockedIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

export const toGroupRecord = (d: GroupDoc): GroupRecord => ({
  id: d._id.toHexString(),
  appId: d.appId.toHexString(),
  groupId: d.groupId,
  name: d.name,
  ownerId: d.ownerId.toHexString(),
  super: d.super,
  conversationId: d.conversationId.toHexString(),
  dissolved: !!d.dissolvedAt,
  description: d.description ?? '',
  avatar: d.avatar ?? '',
  custom: d.custom ?? '',
  announcement: d.announcement ?? '',
  public: !!d.public,
  maxUsers: d.maxUsers ?? MAX_GROUP_MEMBERS,
  membersOnly: !!d.membersOnly,
  allowInvites: d.allowInvites ?? true,
  blockedIds: (d.blockedIds ?? []).map((id) => id.toHexString()),
  createdAt: d.createdAt,
  updatedAt: d.updatedAt ?? d.createdAt,
});

export const checkGroupName = (name: string) => {
  const trimmed = name.trim();
  if (!trimmed) throw invalidInput('name is required', 'name');
  return checkText(trimmed, 128, 'name');
};

/** Checks a partial profile (lengths as the vendor documents bound them); returns only what was given. */
export function checkProfile(p: Partial<GroupProfile>): Partial<GroupProfile> {
  const out: Partial<GroupProfile> = {};
  if (p.description !== undefined) out.description = checkText(p.description, 512, 'description');
  if (p.avatar !== undefined) out.avatar = checkText(p.avatar, 1024, 'avatar');
  if (p.custom !== undefined) out.custom = checkText(p.custom, 8192, 'custom');
  if (p.announcement !== undefined) out.announcement = checkText(p.announcement, 512, 'announcement');
  if (p.maxUsers !== undefined) {
    if (!Number.isInteger(p.maxUsers) || p.maxUsers < 1 || p.maxUsers > MAX_GROUP_MEMBERS)
      throw invalidInput(`maxUsers must be 1 to ${MAX_GROUP_MEMBERS}`, 'maxUsers', 'limit_exceeded');
    out.maxUsers = p.maxUsers;
  }
  for (const flag of ['public', 'membersOnly', 'allowInvites'] as const) if (p[flag] !== undefined) out[flag] = !!p[flag];
  return out;
}

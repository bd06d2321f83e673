import DataLoader from 'dataloader';
import type { AppRecord } from '../apps/service';
import type { ConversationRecord, MemberRecord } from '../conversations/records';
import type { MessageRecord } from '../messages/records';
import type { UserRecord } from '../users/records';

/** Per-request batch loaders: one database round trip per kind of entity per tick. */
export interface Loaders {
  appById: DataLoader<string, AppRecord | null>;
  userById: DataLoader<string, UserRecord | null>;
  conversationById: DataLoader<string, ConversationRecord | null>;
  /** Key: `${conversationId}:${userId}`. */
  memberOf: DataLoader<string, MemberRecord | null>;
  membersByConversation: DataLoader<string, MemberRecord[]>;
  messageById: DataLoader<string, MessageRecord | null>;
}

export interface LoaderSources {
  appsByIds(ids: readonly string[]): Promise<(AppRecord | null)[]>;
  usersByIds(ids: readonly string[]): Promise<(UserRecord | null)[]>;
  conversationsByIds(ids: readonly string[]): Promise<(ConversationRecord | null)[]>;
  membersByKeys(keys: readonly string[]): Promise<(MemberRecord | null)[]>;
  membersByConversations(ids: readonly string[]): Promise<MemberRecord[][]>;
  messagesByIds(ids: readonly string[]): Promise<(MessageRecord | null)[]>;
}

export function createLoaders(s: LoaderSources): Loaders {
  return {
    appById: new DataLoader((ids) => s.appsByIds(ids)),
    userById: new DataLoader((ids) => s.usersByIds(ids)),
    conversationById: new DataLoader((ids) => s.conversationsByIds(ids)),
    memberOf: new DataLoader((keys) => s.membersByKeys(keys)),
    membersByConversation: new DataLoader((ids) => s.membersByConversations(ids)),
    messageById: new DataLoader((ids) => s.messagesByIds(ids)),
  };
}

import DataLoader from 'dataloader';
import type { AppRecord, AppService } from '../apps/service';
import type { ConversationService } from '../conversations/service';
import type { GroupService } from '../groups/service';
import type { MessageService } from '../messages/service';
import type { UserService } from '../users/service';
import type { MemberPage } from '../conversations/member-pages';
import type { ConversationRecord, MemberRecord } from '../conversations/records';
import type { GroupRecord } from '../groups/service';
import type { MessageRecord } from '../messages/records';
import type { UserRecord } from '../users/records';

/** Per-request batch loaders: one database round trip per kind of entity per tick. */
export interface AppLoaders {
  appById: DataLoader<string, AppRecord | null>;
  userById: DataLoader<string, UserRecord | null>;
  /** Key: `${appId}:${username}` (any case). */
  userByUsername: DataLoader<string, UserRecord | null>;
  conversationById: DataLoader<string, ConversationRecord | null>;
  /** Key: `${conversationId}:${userId}`. */
  memberOf: DataLoader<string, MemberRecord | null>;
  /** Key: conversations/member-pages.ts memberPageKey. */
  memberPage: DataLoader<string, MemberPage>;
  messageById: DataLoader<string, MessageRecord | null>;
  groupById: DataLoader<string, GroupRecord | null>;
  groupByConversation: DataLoader<string, GroupRecord | null>;
}

export interface LoaderSources {
  appsByIds(ids: readonly string[]): Promise<(AppRecord | null)[]>;
  usersByIds(ids: readonly string[]): Promise<(UserRecord | null)[]>;
  usersByUsernames(keys: readonly string[]): Promise<(UserRecord | null)[]>;
  conversationsByIds(ids: readonly string[]): Promise<(ConversationRecord | null)[]>;
  membersByKeys(keys: readonly string[]): Promise<(MemberRecord | null)[]>;
  memberPages(keys: readonly string[]): Promise<MemberPage[]>;
  messagesByIds(ids: readonly string[]): Promise<(MessageRecord | null)[]>;
  groupsByIds(ids: readonly string[]): Promise<(GroupRecord | null)[]>;
  groupsByConversations(ids: readonly string[]): Promise<(GroupRecord | null)[]>;
}

declare module '../domain/context' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Loaders extends AppLoaders {}
}

export function createLoaders(s: LoaderSources): AppLoaders {
  // Users are the leaves every other entity points at (members, senders, owners). Their batch waits
  // until the batches already in flight have settled and their resolvers have asked for users, so
  // one query answers them all: the round trips of a page stay constant and few.
  const inflight = new Set<Promise<unknown>>();
  const tracked =
    <K, V>(batch: (keys: readonly K[]) => Promise<V[]>) =>
    (keys: readonly K[]) => {
      const p = batch(keys);
      inflight.add(p);
      const done = () => inflight.delete(p);
      p.then(done, done);
      return p;
    };
  const afterInflight = (dispatch: () => void) => {
    process.nextTick(() => {
      if (inflight.size === 0) return dispatch();
      void Promise.allSettled([...inflight]).then(() => setImmediate(() => afterInflight(dispatch)));
    });
  };
  // Created on first use: most requests touch two or three of them.
  const lazy = <T>(make: () => T) => {
    let value: T | undefined;
    return () => (value ??= make());
  };
  const appById = lazy(() => new DataLoader(tracked((ids: readonly string[]) => s.appsByIds(ids))));
  const userById = lazy(() => new DataLoader((ids: readonly string[]) => s.usersByIds(ids), { batchScheduleFn: afterInflight }));
  const userByUsername = lazy(() => new DataLoader(tracked((keys: readonly string[]) => s.usersByUsernames(keys))));
  const conversationById = lazy(() => new DataLoader(tracked((ids: readonly string[]) => s.conversationsByIds(ids))));
  const memberOf = lazy(() => new DataLoader(tracked((keys: readonly string[]) => s.membersByKeys(keys))));
  const memberPage = lazy(() => new DataLoader(tracked((keys: readonly string[]) => s.memberPages(keys))));
  const messageById = lazy(() => new DataLoader(tracked((ids: readonly string[]) => s.messagesByIds(ids))));
  const groupById = lazy(() => new DataLoader(tracked((ids: readonly string[]) => s.groupsByIds(ids))));
  const groupByConversation = lazy(() => new DataLoader(tracked((ids: readonly string[]) => s.groupsByConversations(ids))));
  return {
    get appById() {
      return appById();
    },
    get userById() {
      return userById();
    },
    get userByUsername() {
      return userByUsername();
    },
    get conversationById() {
      return conversationById();
    },
    get memberOf() {
      return memberOf();
    },
    get memberPage() {
      return memberPage();
    },
    get messageById() {
      return messageById();
    },
    get groupById() {
      return groupById();
    },
    get groupByConversation() {
      return groupByConversation();
    },
  };
}

/** Per-request DataLoaders over the services' batch sources. */
export function loadersOf(s: {
  apps: AppService;
  users: UserService;
  conversations: ConversationService;
  messages: MessageService;
  groups: GroupService;
}) {
  return createLoaders({
    appsByIds: s.apps.findManyByIds,
    usersByIds: s.users.findManyByIds,
    usersByUsernames: s.users.findManyByAppUsernames,
    conversationsByIds: s.conversations.findManyByIds,
    membersByKeys: s.conversations.findMembersByKeys,
    memberPages: s.conversations.memberPages,
    messagesByIds: s.messages.findManyByIds,
    groupsByIds: s.groups.findManyByIds,
    groupsByConversations: s.groups.findManyByConversationIds,
  });
}

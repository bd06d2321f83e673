import DataLoader from 'dataloader';
import type { AppRecord } from '../apps/service';
import type { ConversationRecord, MemberRecord } from '../conversations/records';
import type { GroupRecord } from '../groups/service';
import type { MessageRecord } from '../messages/records';
import type { UserRecord } from '../users/records';

/** Per-request batch loaders: one database round trip per kind of entity per tick. */
export interface AppLoaders {
  appById: DataLoader<string, AppRecord | null>;
  userById: DataLoader<string, UserRecord | null>;
  conversationById: DataLoader<string, ConversationRecord | null>;
  /** Key: `${conversationId}:${userId}`. */
  memberOf: DataLoader<string, MemberRecord | null>;
  membersByConversation: DataLoader<string, MemberRecord[]>;
  messageById: DataLoader<string, MessageRecord | null>;
  groupByConversation: DataLoader<string, GroupRecord | null>;
}

export interface LoaderSources {
  appsByIds(ids: readonly string[]): Promise<(AppRecord | null)[]>;
  usersByIds(ids: readonly string[]): Promise<(UserRecord | null)[]>;
  conversationsByIds(ids: readonly string[]): Promise<(ConversationRecord | null)[]>;
  membersByKeys(keys: readonly string[]): Promise<(MemberRecord | null)[]>;
  membersByConversations(ids: readonly string[]): Promise<MemberRecord[][]>;
  messagesByIds(ids: readonly string[]): Promise<(MessageRecord | null)[]>;
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
  const conversationById = lazy(() => new DataLoader(tracked((ids: readonly string[]) => s.conversationsByIds(ids))));
  const memberOf = lazy(() => new DataLoader(tracked((keys: readonly string[]) => s.membersByKeys(keys))));
  const membersByConversation = lazy(() => new DataLoader(tracked((ids: readonly string[]) => s.membersByConversations(ids))));
  const messageById = lazy(() => new DataLoader(tracked((ids: readonly string[]) => s.messagesByIds(ids))));
  const groupByConversation = lazy(() => new DataLoader(tracked((ids: readonly string[]) => s.groupsByConversations(ids))));
  return {
    get appById() {
      return appById();
    },
    get userById() {
      return userById();
    },
    get conversationById() {
      return conversationById();
    },
    get memberOf() {
      return memberOf();
    },
    get membersByConversation() {
      return membersByConversation();
    },
    get messageById() {
      return messageById();
    },
    get groupByConversation() {
      return groupByConversation();
    },
  };
}

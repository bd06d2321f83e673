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

/**
 * One object per request; each loader is made on first use (most requests touch two or three, a
 * trivial one none). Users are the leaves every other entity points at (members, senders, owners):
 * their batch waits until the batches already in flight have settled and their resolvers have
 * asked for users, so one query answers them all and a page's round trips stay constant and few.
 */
class RequestLoaders implements AppLoaders {
  #inflight?: Set<Promise<unknown>>;
  #appById?: AppLoaders['appById'];
  #userById?: AppLoaders['userById'];
  #userByUsername?: AppLoaders['userByUsername'];
  #conversationById?: AppLoaders['conversationById'];
  #memberOf?: AppLoaders['memberOf'];
  #memberPage?: AppLoaders['memberPage'];
  #messageById?: AppLoaders['messageById'];
  #groupById?: AppLoaders['groupById'];
  #groupByConversation?: AppLoaders['groupByConversation'];

  constructor(private readonly s: LoaderSources) {}

  #tracked<V>(batch: (keys: readonly string[]) => Promise<V[]>) {
    const inflight = (this.#inflight ??= new Set());
    return new DataLoader((keys: readonly string[]) => {
      const p = batch(keys);
      inflight.add(p);
      const done = () => inflight.delete(p);
      p.then(done, done);
      return p;
    });
  }

  get appById() {
    return (this.#appById ??= this.#tracked((ids) => this.s.appsByIds(ids)));
  }
  get userById() {
    return (this.#userById ??= this.#afterInflight((ids) => this.s.usersByIds(ids)));
  }
  #afterInflight<V>(batch: (keys: readonly string[]) => Promise<V[]>) {
    const inflight = (this.#inflight ??= new Set());
    const schedule = (dispatch: () => void) => {
      process.nextTick(() => {
        if (inflight.size === 0) return dispatch();
        void Promise.allSettled([...inflight]).then(() => setImmediate(() => schedule(dispatch)));
      });
    };
    return new DataLoader(batch, { batchScheduleFn: schedule });
  }
  get userByUsername() {
    return (this.#userByUsername ??= this.#tracked((keys) => this.s.usersByUsernames(keys)));
  }
  get conversationById() {
    return (this.#conversationById ??= this.#tracked((ids) => this.s.conversationsByIds(ids)));
  }
  get memberOf() {
    return (this.#memberOf ??= this.#tracked((keys) => this.s.membersByKeys(keys)));
  }
  get memberPage() {
    return (this.#memberPage ??= this.#tracked((keys) => this.s.memberPages(keys)));
  }
  get messageById() {
    return (this.#messageById ??= this.#tracked((ids) => this.s.messagesByIds(ids)));
  }
  get groupById() {
    return (this.#groupById ??= this.#tracked((ids) => this.s.groupsByIds(ids)));
  }
  get groupByConversation() {
    return (this.#groupByConversation ??= this.#tracked((ids) => this.s.groupsByConversations(ids)));
  }
}

export function createLoaders(s: LoaderSources): AppLoaders {
  return new RequestLoaders(s);
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

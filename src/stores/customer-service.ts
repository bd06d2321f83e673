import type { AppRecord } from '../apps/service';
import type { RequestContext } from '../domain/context';
import { DomainError, forbidden, unauthenticated } from '../domain/errors';
import type { ConversationService } from '../conversations/service';
import type { ConversationRecord } from '../conversations/records';
import type { TokenService } from '../tokens/service';
import type { CustomerAccounts } from '../users/customers';
import type { UserRecord } from '../users/records';
import type { UserService } from '../users/service';
import type { StoreService } from './service';

// One answer for an unknown app, an app without that store and a deactivated customer: sign-in
// needs no credentials, so it must not tell which apps exist or which customers were switched off.
const refused = () => new DomainError('INVALID_INPUT', 'unknown appid, store or customer', { field: 'appid', reason: 'refused' });

/**
 * Customer service: customers sign in without credentials, as the customer API
 * document says, into their own namespace; their tokens reach only their conversations with the
 * app's stores. A user token of the app may act as a customer of a store too (as before customers
 * had their own namespace), an app token reads a customer's pending count.
 */
export function createCustomerService(deps: {
  stores: StoreService;
  accounts: CustomerAccounts;
  tokens: TokenService;
  users: Pick<UserService, 'self'>;
  conversations: ConversationService;
  isOnline(appId: string, userId: string): Promise<boolean>;
}) {
  const { stores, accounts, conversations } = deps;

  /** The account talking to a store: the customer, or a user of the app acting as one. */
  function caller(ctx: RequestContext): Promise<UserRecord> {
    if (ctx.principal.kind === 'app') throw forbidden('a customer or user token is required');
    return deps.users.self(ctx);
  }

  return {
    /**
     * The documented unauthenticated elevation: `app` is the one the request named (null when it
     * names none). Creates or refreshes the customer, opens its conversation with the store and
     * issues a customer token (permanent until revoked, as the customer API's are).
     */
    async signIn(
      _ctx: RequestContext,
      app: AppRecord | null,
      input: { customerId: string; name?: string; avatar?: string; storeId?: number },
    ): Promise<{ token: string; storeId: number; customer: UserRecord; conversation: ConversationRecord }> {
      if (!app) throw refused();
      const found = await stores.find(app.id, input.storeId).catch((e: unknown) => {
        throw e instanceof DomainError && e.code === 'NOT_FOUND' ? refused() : e;
      });
      const customer = await accounts.ensure(app.id, input.customerId, { name: input.name, avatar: input.avatar });
      if (!customer.activated) throw refused();
      const { conversation } = await conversations.openCustomerServiceOf(found.supporter, customer);
      const token = await deps.tokens.issueCustomerToken(app, customer);
      return { token: token.accessToken, storeId: found.store.storeId, customer, conversation };
    },

    /** The supporter answering a store (the app's first without `storeId`), and whether they are online. */
    async supporter(ctx: RequestContext, storeId?: number | null) {
      const me = await caller(ctx);
      const { supporter } = await stores.find(me.appId, storeId);
      return { supporter, online: await deps.isOnline(supporter.appId, supporter.id) };
    },

    /** The caller's conversation with a store, opened on first use. */
    async conversation(ctx: RequestContext, storeId?: number | null): Promise<ConversationRecord> {
      const me = await caller(ctx);
      const { supporter } = await stores.find(me.appId, storeId);
      return (await conversations.openCustomerServiceOf(supporter, me)).conversation;
    },

    /** App tokens: whether anything waits for this customer (an unknown customer has nothing waiting). */
    async hasPending(ctx: RequestContext, customerId: string): Promise<boolean> {
      const p = ctx.principal;
      if (p.kind !== 'app') throw p.kind === 'anonymous' ? unauthenticated() : forbidden('an app token is required');
      const customer = await accounts.find(p.appId, customerId);
      return !!customer && (await conversations.offlineCountsOf(ctx, customer)).total > 0;
    },
  };
}

export type CustomerService = ReturnType<typeof createCustomerService>;

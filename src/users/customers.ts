import { checkText } from '../domain/validators';
import { NO_PASSWORD } from './password';
import type { UserRecord } from './records';
import { profileFields } from './settings';
import type { UserStore } from './store';

/**
 * A store's customers (customer sign-in): accounts of their own namespace in the users
 * collection. `customer_id: "alice"` is never the app's user `alice`; no lookup by username or by
 * an app's reference finds a customer (users/store.ts), so a customer cannot be made a contact, a
 * group member, a DM peer or a store's supporter. System tier: the customer-service area calls it
 * after deciding who may sign in.
 */
export function createCustomerAccounts(store: UserStore) {
  return {
    find: (appId: string, customerId: string) => store.findCustomer(appId, checkText(customerId, 64, 'customer_id')),

    /** The customer account, created on first sign-in; its name and avatar follow what the client sends. */
    async ensure(appId: string, customerId: string, profile: { name?: string; avatar?: string }): Promise<UserRecord> {
      checkText(customerId, 64, 'customer_id');
      const nickname = profile.name ? checkText(profile.name, 100, 'name') : undefined;
      const portrait = profile.avatar ? profileFields({ portrait: profile.avatar }, '').portrait : undefined;
      const existing =
        (await store.findCustomer(appId, customerId)) ??
        (await store.insertCustomer(appId, customerId, { passwordHash: NO_PASSWORD, nickname, profile: portrait ? { portrait } : {} }));
      const change: Record<string, string> = {};
      if (nickname && nickname !== existing.nickname) change.nickname = nickname;
      if (portrait && portrait !== existing.profile.portrait) change['profile.portrait'] = portrait;
      return Object.keys(change).length ? store.update(existing.id, { $set: change }) : existing;
    },
  };
}

export type CustomerAccounts = ReturnType<typeof createCustomerAccounts>;

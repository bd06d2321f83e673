import { contract } from '../contract';
import type { EasemobRoutes } from '../dialect';
import { userEntity } from '../entity';
import { envelope, type EasemobResult } from '../envelope';
import { illegalArgument } from '../errors';
import type { UserRecord } from '../../../users/records';

/** Responses about an owner's relations name the owner's uuid in `path`, as the document shows. */
const edge = (action: string, kind: 'contacts' | 'blocks', r: { owner: UserRecord; user: UserRecord }): EasemobResult =>
  envelope(action, { path: `/users/${r.owner.uuid}/${kind}`, entities: [userEntity(r.user)] });
const names = (list: { username: string }[], uri: string): EasemobResult => {
  const data = list.map((u) => u.username);
  return envelope('get', { uri, data, count: data.length });
};

const decodeOffset = (cursor: string) => {
  const text = Buffer.from(cursor, 'base64url').toString();
  return /^\d{1,6}$/.test(text) ? Number(text) : undefined;
};

/** Contacts and the blacklist ("blocks") of one owner. */
export function registerRelationRoutes({ route, services }: EasemobRoutes) {
  const { contacts } = services;
  const ref = (username: string) => ({ username });

  route(contract.addContact, async (call, { params: p }) =>
    edge('post', 'contacts', await contacts.addContact(call.ctx, ref(p.owner_username), ref(p.other_username))),
  );
  route(contract.removeContact, async (call, { params: p }) =>
    edge('delete', 'contacts', await contacts.removeContact(call.ctx, ref(p.owner_username), ref(p.other_username))),
  );
  route(contract.listContacts, async (call, { params: p }) =>
    names(await contacts.listContacts(call.ctx, ref(p.owner_username)), `${call.base}/users/${p.owner_username}/contacts/users`),
  );
  // Newest first, as the real API pages them; the cursor is an offset into that order. Remarks are
  // not kept by this facade: with needReturnRemark they are null.
  route(contract.pageContacts, async (call, { params: p, query: q }) => {
    const all = (await contacts.listContacts(call.ctx, ref(p.username))).reverse();
    const from = q.cursor ? decodeOffset(q.cursor) : 0;
    if (from === undefined) throw illegalArgument('cursor is not valid');
    const limit = q.limit ?? 10;
    const page = all.slice(from, from + limit);
    const next = from + limit < all.length ? Buffer.from(String(from + limit)).toString('base64url') : undefined;
    const remark = q.needReturnRemark === true || q.needReturnRemark === 1;
    return envelope('get', {
      path: undefined,
      uri: `${call.base}/users/${p.username}/rostersByPage`,
      entities: [],
      data: { contacts: page.map((u) => (remark ? { remark: null, username: u.username } : { username: u.username })) },
      count: page.length,
      cursor: next,
    });
  });
  route(contract.listBlocks, async (call, { params: p }) =>
    names(await contacts.listBlocked(call.ctx, ref(p.owner_username)), `${call.base}/users/${p.owner_username}/blocks/users`),
  );

  // Body {"usernames": [...]}: all are added or none; an unknown one is named in the error.
  route(
    {
      ...contract.addBlocks,
      errors: {
        ...contract.addBlocks.errors,
        NOT_FOUND: (e, input) => {
          const index = /^users\.(\d+)$/.exec(e.details.field ?? '')?.[1];
          if (index === undefined || !input) return undefined;
          const missing = input.body.usernames[Number(index)];
          const owner = input.params.owner_username;
          return illegalArgument(`attempt to adding new block[${missing}] for user[${owner}],but user[${missing}] not found.`);
        },
      },
    },
    async (call, { params, body }) => {
      const blocked = await contacts.block(call.ctx, ref(params.owner_username), body.usernames.map(ref));
      return envelope('post', { path: undefined, uri: call.base, data: blocked.map((u) => u.username) });
    },
  );

  route(contract.removeBlock, async (call, { params: p }) =>
    edge('delete', 'blocks', await contacts.unblock(call.ctx, ref(p.owner_username), ref(p.other_username))),
  );
}

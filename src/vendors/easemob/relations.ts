import type { FastifyInstance } from 'fastify';
import { isDomainError } from '../../domain/errors';
import type { Services } from '../../services';
import { userEntity } from './entity';
import { illegalArgument } from './errors';
import type { EasemobCall, EasemobKit } from './request';

type Pair = { owner_username: string; other_username: string };
type Owner = { owner_username: string };

/** Contacts and the blacklist ("blocks") of one owner. */
export function registerRelationRoutes(fastify: FastifyInstance, services: Services, kit: EasemobKit) {
  const { contacts, users } = services;

  /** Responses about an owner's relations name the owner's uuid in `path`, as the document shows. */
  async function edgeResponse(
    call: EasemobCall,
    action: string,
    ownerName: string,
    kind: 'contacts' | 'blocks',
    other: Parameters<typeof userEntity>[0],
  ) {
    const owner = await users.get(call.ctx, { username: ownerName });
    return kit.envelope(call, action, { path: `/users/${owner.uuid}/${kind}`, entities: [userEntity(other)] });
  }
  const names = async (call: EasemobCall, list: Promise<{ username: string }[]>, uri: string) => {
    const data = (await list).map((u) => u.username);
    return kit.envelope(call, 'get', { uri, data, count: data.length });
  };

  fastify.post(
    '/:org_name/:app_name/users/:owner_username/contacts/users/:other_username',
    kit.route<Pair>('admin', async (call, req) => {
      const { owner_username: owner, other_username: other } = req.params;
      return edgeResponse(call, 'post', owner, 'contacts', await contacts.addContact(call.ctx, { username: owner }, { username: other }));
    }),
  );

  fastify.delete(
    '/:org_name/:app_name/users/:owner_username/contacts/users/:other_username',
    kit.route<Pair>('admin', async (call, req) => {
      const { owner_username: owner, other_username: other } = req.params;
      return edgeResponse(
        call,
        'delete',
        owner,
        'contacts',
        await contacts.removeContact(call.ctx, { username: owner }, { username: other }),
      );
    }),
  );

  fastify.get(
    '/:org_name/:app_name/users/:owner_username/contacts/users',
    kit.route<Owner>('admin', async (call, req) =>
      names(
        call,
        contacts.listContacts(call.ctx, { username: req.params.owner_username }),
        `${call.base}/users/${req.params.owner_username}/contacts/users`,
      ),
    ),
  );

  fastify.get(
    '/:org_name/:app_name/users/:owner_username/blocks/users',
    kit.route<Owner>('admin', async (call, req) =>
      names(
        call,
        contacts.listBlocked(call.ctx, { username: req.params.owner_username }),
        `${call.base}/users/${req.params.owner_username}/blocks/users`,
      ),
    ),
  );

  // Body {"usernames": [...]}: all are added or none; an unknown one is named in the error.
  fastify.post(
    '/:org_name/:app_name/users/:owner_username/blocks/users',
    kit.route<Owner>('admin', async (call, req) => {
      const owner = req.params.owner_username;
      const usernames = (req.body as { usernames?: unknown } | undefined)?.usernames;
      if (!Array.isArray(usernames) || usernames.length === 0 || !usernames.every((u) => typeof u === 'string' && u !== '')) {
        throw illegalArgument('usernames must be a non-empty array of usernames');
      }
      try {
        const blocked = await contacts.block(
          call.ctx,
          { username: owner },
          usernames.map((username: string) => ({ username })),
        );
        return kit.envelope(call, 'post', { path: undefined, uri: call.base, data: blocked.map((u) => u.username) });
      } catch (e) {
        const field = isDomainError(e) && e.code === 'NOT_FOUND' ? e.details.field : undefined;
        if (field?.startsWith('users.')) {
          const missing = usernames[Number(field.split('.')[1])];
          throw illegalArgument(`attempt to adding new block[${missing}] for user[${owner}],but user[${missing}] not found.`);
        }
        throw e;
      }
    }),
  );

  fastify.delete(
    '/:org_name/:app_name/users/:owner_username/blocks/users/:other_username',
    kit.route<Pair>('admin', async (call, req) => {
      const { owner_username: owner, other_username: other } = req.params;
      return edgeResponse(call, 'delete', owner, 'blocks', await contacts.unblock(call.ctx, { username: owner }, { username: other }));
    }),
  );
}

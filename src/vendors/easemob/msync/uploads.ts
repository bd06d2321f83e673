import type { RequestContext } from '../../../domain/context';
import { recordRefusal } from '../../../observability/metrics';
import type { SendInput } from '../../../messages/service';
import { USERNAME_MAX_BYTES } from '../../../users/rules';
import { contentOf } from '../routes/messages';
import { extObject, restBodyOf, USER_DOMAIN, type WireBody } from './content';
import type { MsyncDeps } from './deps';
import { ackFrame } from './frames';
import type { InboxSync } from './inbox-sync';
import { BodyType, decode, ErrorCode, MucOperation, Namespace, pb, type Jid } from './schema';
import { OK, statusOf, type Status } from './status';

/** A meta as a client uploads it (ids as decimal strings). */
export interface UploadedMeta {
  id?: string;
  to?: Jid;
  ns?: number;
  payload?: Uint8Array;
}
interface MucBody {
  mucId?: Jid;
  operation?: number;
}

type Target = { of: 'user' | 'group' | 'room'; name: string };
const refuse = (reason: string): Status => ({ errorCode: ErrorCode.FAIL, reason });
const idOf = (name: string | undefined) => (/^[1-9]\d{0,15}$/.test(name ?? '') ? Number(name) : undefined);

/**
 * An uploaded meta: a message (one-to-one, group, chat room), a read/delivery/channel ack, a recall,
 * or joining/leaving a chat room. Each is one checked service call with the socket's principal,
 * answered with the meta's id, the server's id and a status in the SDK's words (status.ts).
 */
export async function handleUpload(
  deps: MsyncDeps,
  sync: InboxSync,
  ctx: RequestContext,
  meta: UploadedMeta,
  write: (b: Uint8Array) => void,
): Promise<void> {
  const metaId = meta.id ?? '0';
  // The SDK's own statistics report: nothing to answer.
  if (meta.ns === Namespace.STATISTIC) return;
  const taken = await deps.sends.take(`${sync.me.appId}:${sync.me.id}`);
  if (!taken.ok) {
    recordRefusal('msync_sends');
    return write(ackFrame(metaId, { errorCode: ErrorCode.PERMISSION_DENIED, reason: 'traffic limit' }));
  }
  if (meta.ns === Namespace.MUC) return write(ackFrame(metaId, await roomMembership(ctx, deps, meta)));
  if (meta.ns !== Namespace.CHAT || !meta.payload) return write(ackFrame(metaId, refuse('unsupported operation')));
  const body = decode<WireBody>(pb.MessageBody, meta.payload);
  const to = meta.to?.name ?? body.to?.name ?? '';
  // No username is longer, nor any group or room id (16 digits): refused unread, never looked up or echoed.
  if (Buffer.byteLength(to) > USERNAME_MAX_BYTES) return write(ackFrame(metaId, refuse('the target does not exist')));
  const services = deps.kit.services;
  const outcome = async (): Promise<{ status: Status; serverId?: number }> => {
    switch (body.type ?? BodyType.CHAT) {
      case BodyType.READ_ACK:
      case BodyType.DELIVER_ACK: {
        const m = await services.messages.findByUid(ctx, Number(body.ackMessageId ?? 0));
        if (body.type === BodyType.READ_ACK) await services.conversations.markRead(ctx, m.conversationId, m.seq);
        else if (m.seq != null) await services.inbox.delivered(ctx, m.conversationId, m.seq);
        return { status: OK };
      }
      case BodyType.CHANNEL_ACK: {
        // Everything from this peer is read: the one-to-one conversation's read cursor moves to its end.
        const { conversation } = await services.conversations.openDirect(ctx, null, { username: to });
        await services.conversations.markRead(ctx, conversation.id);
        return { status: OK };
      }
      case BodyType.RECALL:
        await services.messages.recallByUid(ctx, Number(body.ackMessageId ?? 0));
        return { status: OK };
      case BodyType.EDIT:
        return { status: refuse('Sorry, edit is not available') };
      default:
        return send(ctx, sync, meta, body, to, deps);
    }
  };
  const target: Target | undefined = body.type === BodyType.GROUPCHAT ? { of: 'group', name: to } : undefined;
  const result = await outcome().catch((e: unknown) => ({ status: statusOf(e, target ?? targetOf(body, meta, to)), serverId: 0 }));
  write(ackFrame(metaId, result.status, result.serverId ?? 0));
}

function targetOf(body: WireBody, meta: UploadedMeta, to: string): Target | undefined {
  if (body.type === BodyType.CHATROOM) return { of: 'room', name: to };
  if (body.type === BodyType.CHAT || body.type === undefined || body.type === BodyType.NORMAL)
    return meta.to?.domain && meta.to.domain !== USER_DOMAIN ? { of: 'group', name: to } : { of: 'user', name: to };
  return undefined;
}

/** A message: its content as the REST API reads it (one conversion), idempotent by the SDK's local id. */
async function send(ctx: RequestContext, sync: InboxSync, meta: UploadedMeta, body: WireBody, to: string, deps: MsyncDeps) {
  const content = body.contents?.[0];
  const rest = content ? restBodyOf(content) : undefined;
  if (!rest) return { status: refuse('unsupported message type') };
  const { users, rooms, messages } = deps.kit.services;
  const direct = body.type !== BodyType.GROUPCHAT && body.type !== BodyType.CHATROOM;
  const key = `${body.type === BodyType.GROUPCHAT ? 'group' : body.type === BodyType.CHATROOM ? 'room' : 'chat'}:${to.toLowerCase()}`;
  // A target this socket has sent to is sent to by its conversation's id, from the caches a warm
  // send reads (a peer is looked up first, from its cache: a deleted peer is no recipient).
  const known = sync.conversationOf(key);
  if (known && direct) await users.findInApp(ctx, { username: to }, 'to');
  const target: Partial<SendInput> = known
    ? { conversationId: known }
    : body.type === BodyType.GROUPCHAT
      ? { groupId: idOf(to) ?? -1 }
      : body.type === BodyType.CHATROOM
        ? { roomId: idOf(to) ?? -1 }
        : { to: { username: to } };
  if ((target.groupId ?? target.roomId) === -1) return { status: refuse('group ID illegal, please check it') };
  const ext = body.ext?.length ? extObject(body.ext) : undefined;
  const input = { ...contentOf(rest.type, rest.body, ext), ...target, clientMessageId: `msync:${meta.id}` } as SendInput;
  if (target.roomId != null) await rooms.get(ctx, target.roomId); // rooms are made first (/chatrooms)
  const message = await messages.send(ctx, input);
  sync.sent(key, message.conversationId, message.seq);
  return { status: OK, serverId: message.uid };
}

/** Joining or leaving a chat room (the SDK does both over the socket). */
async function roomMembership(ctx: RequestContext, deps: MsyncDeps, meta: UploadedMeta): Promise<Status> {
  const muc = meta.payload ? decode<MucBody>(pb.MUCBody, meta.payload) : {};
  const roomId = idOf(muc.mucId?.name);
  if (roomId === undefined) return { errorCode: ErrorCode.FAIL, reason: 'group ID illegal, please check it' };
  const { rooms, conversations } = deps.kit.services;
  const change = async () => {
    await rooms.get(ctx, roomId);
    if (muc.operation === MucOperation.JOIN) await rooms.enter(ctx, roomId);
    else if (muc.operation === MucOperation.LEAVE) await conversations.setInRoom(ctx, roomId, false);
    else return refuse('unsupported operation');
    return OK;
  };
  return change().catch((e: unknown) => statusOf(e, { of: 'room', name: String(roomId) }));
}

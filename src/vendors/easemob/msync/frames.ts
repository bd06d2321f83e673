import type protobuf from 'protobufjs';
import { Command, encode, Namespace, pb, type Jid } from './schema';
import type { Status } from './status';
import { OK } from './status';

/** A meta to write: its body is encoded into `payload` here. */
export interface OutMeta {
  id: number | string;
  from?: Jid;
  to?: Jid;
  timestamp: number;
  ns: number;
  body?: object;
  payload?: Uint8Array;
  ext?: object[];
}

const frame = (command: number, type: protobuf.Type | null, payload: object | null) =>
  encode(pb.MSync, { version: 1, command, ...(type && payload ? { payload: encode(type, payload) } : {}) });

const metaOf = ({ body, ...m }: OutMeta) => ({ ...m, payload: m.payload ?? (body ? encode(pb.MessageBody, body) : undefined) });

/** The login's answer: OK with the session's resource (and when its token expires), or a refusal. */
export function provisionFrame(status: Status, resource = '', expiresAt?: Date | null) {
  const authToken = status.errorCode === 0 && expiresAt ? JSON.stringify({ expires_in: expiresAt.getTime() }) : undefined;
  return frame(Command.PROVISION, pb.Provision, { status, resource, ...(authToken ? { authToken } : {}) });
}

/** The queues holding undelivered messages, and how many each holds (the answer to UNREAD, also the SDK's heartbeat). */
export const unreadFrame = (unread: { queue: Jid; n: number }[]) =>
  frame(Command.UNREAD, pb.CommUnreadDL, { status: OK, unread, timestamp: Date.now() });

/** "Something waits in this queue": the SDK asks for it with a SYNC. */
export const noticeFrame = (queue: Jid) => frame(Command.NOTICE, pb.CommNotice, { queue });

/**
 * A page of a queue (answer to a SYNC), or messages pushed live (`isLast`, so the SDK asks for
 * nothing more). The queue is always named: the SDK reads its name on every page.
 */
export function metasFrame(metas: OutMeta[], opts: { queue: Jid; nextKey?: number; isLast: boolean }) {
  return frame(Command.SYNC, pb.CommSyncDL, {
    status: OK,
    metas: metas.map(metaOf),
    queue: opts.queue,
    isLast: opts.isLast,
    timestamp: Date.now(),
    ...(opts.nextKey !== undefined ? { nextKey: opts.nextKey } : {}),
  });
}

/** The answer to an uploaded meta (a message, an ack, a recall): its local id, the server's id, and the outcome. */
export function ackFrame(metaId: string, status: Status, serverId: number | string = 0) {
  return frame(Command.SYNC, pb.CommSyncDL, { status, metaId, serverId, timestamp: Date.now() });
}

/** A session ended by the server (StatisticsBody operation): the SDK reports it and does not reconnect. */
export function kickFrame(operation: number, queue: Jid) {
  const meta: OutMeta = {
    id: Date.now(),
    timestamp: Date.now(),
    ns: Namespace.STATISTIC,
    payload: encode(pb.StatisticsBody, { operation }),
  };
  return metasFrame([meta], { queue, isLast: true });
}

/** The answer to LOGOUT. */
export const logoutFrame = () => frame(Command.LOGOUT, null, null);

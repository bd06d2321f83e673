import type { MessageRecord } from '../../../messages/records';
import type { MessageBody as RestBody } from '../contract';
import { bodyOf, type Addressing } from '../message-format';
import { BodyType, ContentType, Namespace, ValueType, type Jid, type KeyValue } from './schema';

/** The SDKs' domains: users live in `easemob.com`, groups and chat rooms in `conference.easemob.com`. */
export const USER_DOMAIN = 'easemob.com';
export const CONFERENCE_DOMAIN = 'conference.easemob.com';

export const userJid = (appKey: string, name: string): Jid => ({ appKey, name, domain: USER_DOMAIN });
export const conferenceJid = (appKey: string, id: string | number): Jid => ({ appKey, name: String(id), domain: CONFERENCE_DOMAIN });

/** Decoded MessageBody and Content, as far as this server reads them. */
export interface WireContent {
  type?: number;
  text?: string;
  latitude?: number;
  longitude?: number;
  address?: string;
  displayName?: string;
  remotePath?: string;
  secretKey?: string;
  fileLength?: number;
  action?: string;
  duration?: number;
  size?: { width?: number; height?: number };
  thumbnailRemotePath?: string;
  thumbnailSecretKey?: string;
  customEvent?: string;
  customExts?: KeyValue[];
  buildingName?: string;
}
export interface WireBody {
  type?: number;
  from?: Jid;
  to?: Jid;
  contents?: WireContent[];
  ext?: KeyValue[];
  ackMessageId?: string;
  ackContent?: string;
}

/** `ext` as the SDK encodes it (typed key-values), read back into a JSON object. */
export function extObject(list: KeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list ?? []) {
    if (!kv.key || kv.key === '__proto__') continue;
    const n = Number(kv.varintValue ?? 0);
    switch (kv.type) {
      case ValueType.BOOL:
        out[kv.key] = n !== 0;
        break;
      case ValueType.INT:
      case ValueType.UINT:
      case ValueType.LLINT:
        out[kv.key] = n;
        break;
      case ValueType.FLOAT:
        out[kv.key] = kv.floatValue ?? 0;
        break;
      case ValueType.DOUBLE:
        out[kv.key] = kv.doubleValue ?? 0;
        break;
      case ValueType.JSON_STRING:
        try {
          out[kv.key] = JSON.parse(kv.stringValue ?? 'null');
        } catch {
          out[kv.key] = kv.stringValue ?? '';
        }
        break;
      default:
        out[kv.key] = kv.stringValue ?? '';
    }
  }
  return out;
}

/** A JSON object as typed key-values, the way the SDK writes its own `ext`. */
export function keyValues(o: Record<string, unknown>): KeyValue[] {
  return Object.entries(o).flatMap(([key, v]): KeyValue[] => {
    if (v === undefined || v === null) return [];
    if (typeof v === 'object') return [{ key, type: ValueType.JSON_STRING, stringValue: JSON.stringify(v) }];
    if (typeof v === 'boolean') return [{ key, type: ValueType.BOOL, varintValue: v ? 1 : 0 }];
    if (typeof v === 'number')
      return Number.isSafeInteger(v) ? [{ key, type: ValueType.INT, varintValue: v }] : [{ key, type: ValueType.DOUBLE, doubleValue: v }];
    return [{ key, type: ValueType.STRING, stringValue: String(v) }];
  });
}

/** One content of an uploaded message as the REST API's body (so one conversion, routes/messages.ts contentOf, serves both). */
export function restBodyOf(c: WireContent): { type: RestBody['type']; body: Record<string, unknown> } | undefined {
  const media = { url: c.remotePath, filename: c.displayName, secret: c.secretKey, file_length: c.fileLength };
  switch (c.type ?? ContentType.TEXT) {
    case ContentType.TEXT:
      return { type: 'txt', body: { msg: c.text ?? '' } };
    case ContentType.IMAGE:
      return { type: 'img', body: { ...media, size: c.size } };
    case ContentType.VIDEO:
      return { type: 'video', body: { ...media, length: c.duration, thumb: c.thumbnailRemotePath, thumb_secret: c.thumbnailSecretKey } };
    case ContentType.VOICE:
      return { type: 'audio', body: { ...media, length: c.duration } };
    case ContentType.FILE:
      return { type: 'file', body: media };
    case ContentType.LOCATION:
      return { type: 'loc', body: { lat: c.latitude ?? 0, lng: c.longitude ?? 0, addr: c.address ?? c.buildingName ?? '' } };
    case ContentType.COMMAND:
      return { type: 'cmd', body: { action: c.action ?? '' } };
    case ContentType.CUSTOM:
      return { type: 'custom', body: { customEvent: c.customEvent ?? '', customExts: extObject(c.customExts) } };
    default:
      return undefined; // combined (forwarded bundles) and anything newer: refused, see docs/EASEMOB.md
  }
}

/**
 * A receiving SDK rebuilds a file's URL as its own `apiUrl` + the path after the host: it expects
 * `/{org}/{app}/chatfiles/…` there, so a path under a mount prefix (`/easemob/…`) loses the prefix
 * on the wire (the stored message keeps the full URL for every other surface).
 */
export const sdkFileUrl = (url: string | undefined) =>
  url?.replace(/^(https?:\/\/[^/]+)\/(?:[^?#]*?\/)?([^/?#]+\/[^/?#]+\/chatfiles\/)/, '$1/$2');

/** A stored message as the SDK's content. */
function wireContentOf(m: MessageRecord): WireContent {
  const { body } = bodyOf(m);
  const s = (k: string) =>
    typeof body[k] === 'string' ? (k === 'url' || k === 'thumb' ? sdkFileUrl(body[k] as string) : (body[k] as string)) : undefined;
  const n = (k: string) => (typeof body[k] === 'number' ? (body[k] as number) : undefined);
  const media = { remotePath: s('url'), displayName: s('filename'), secretKey: s('secret'), fileLength: n('file_length') };
  switch (body.type) {
    case 'img':
      return { type: ContentType.IMAGE, ...media, size: body.size as WireContent['size'] };
    case 'video':
      return {
        type: ContentType.VIDEO,
        ...media,
        duration: n('length'),
        thumbnailRemotePath: s('thumb'),
        thumbnailSecretKey: s('thumb_secret'),
      };
    case 'audio':
      return { type: ContentType.VOICE, ...media, duration: n('length') };
    case 'file':
      return { type: ContentType.FILE, ...media };
    case 'loc':
      return { type: ContentType.LOCATION, latitude: Number(body.lat) || 0, longitude: Number(body.lng) || 0, address: s('addr') };
    case 'cmd':
      return { type: ContentType.COMMAND, action: s('action') ?? '' };
    case 'custom': {
      const exts = body.customExts && typeof body.customExts === 'object' ? (body.customExts as Record<string, unknown>) : {};
      return { type: ContentType.CUSTOM, customEvent: s('customEvent') ?? '', customExts: keyValues(exts) };
    }
    default:
      return { type: ContentType.TEXT, text: s('msg') ?? '' };
  }
}

const BODY_TYPE = { chat: BodyType.CHAT, groupchat: BodyType.GROUPCHAT, chatroom: BodyType.CHATROOM } as const;

/** The Meta that carries a stored (or online-only) message to a device: its id is the message's uid, the REST `msg_id`. */
export function messageMeta(appKey: string, m: MessageRecord, a: Addressing) {
  const to = a.chatType === 'chat' ? userJid(appKey, a.to) : conferenceJid(appKey, a.to);
  const body = {
    type: BODY_TYPE[a.chatType],
    from: { name: a.from },
    to: { name: a.to },
    contents: [wireContentOf(m)],
    ext: keyValues(bodyOf(m).ext),
  };
  return { id: m.uid, from: userJid(appKey, a.from), to, timestamp: m.createdAt.getTime(), ns: Namespace.CHAT, body };
}

/** A recall as the SDK hears it: a RECALL body naming the message. */
export function recallMeta(appKey: string, m: MessageRecord, a: Addressing, id: number) {
  const to = a.chatType === 'chat' ? userJid(appKey, a.to) : conferenceJid(appKey, a.to);
  const body = { type: BodyType.RECALL, from: { name: a.from }, to: { name: a.to }, ackMessageId: m.uid, contents: [] };
  return { id, from: userJid(appKey, a.from), to, timestamp: Date.now(), ns: Namespace.CHAT, body };
}

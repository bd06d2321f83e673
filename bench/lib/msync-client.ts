import type WebSocket from 'ws';
import { decode, encode, pb } from '../../src/vendors/easemob/msync/schema';

/** The PROVISION frame an SDK sends first: its AppKey, its user and token. */
export const msyncLogin = (appKey: string, username: string, token: string) =>
  encode(pb.MSync, {
    version: 1,
    command: 3,
    guid: { appKey, name: username, domain: 'easemob.com' },
    auth: `$t$${token}`,
    payload: encode(pb.Provision, { osType: 16, version: 'bench', resource: 'bench' }),
  });

interface Frame {
  command?: number;
  payload?: Uint8Array;
}

/**
 * Reads one frame from the server as a light SDK would: `ok` for an accepted login, the texts of
 * the messages a page carries (joined), and a NOTICE answered with a SYNC of its queue.
 */
export function msyncText(data: Buffer, ws: WebSocket): string | undefined {
  const m = decode<Frame>(pb.MSync, data);
  const payload = m.payload ?? new Uint8Array();
  if (m.command === 3) {
    const p = decode<{ status?: { errorCode?: number; reason?: string } }>(pb.Provision, payload);
    if (p.status?.errorCode) throw new Error(`msync login refused: ${p.status.reason}`);
    return 'ok';
  }
  if (m.command === 2) {
    const { queue } = decode<{ queue?: object }>(pb.CommNotice, payload);
    ws.send(encode(pb.MSync, { version: 1, command: 0, payload: encode(pb.CommSyncUL, { queue }) }));
    return undefined;
  }
  if (m.command !== 0) return undefined;
  const dl = decode<{ metas?: { payload?: Uint8Array }[] }>(pb.CommSyncDL, payload);
  const texts = (dl.metas ?? []).map((meta) => {
    const body = decode<{ contents?: { text?: string }[] }>(pb.MessageBody, meta.payload ?? new Uint8Array());
    return body.contents?.[0]?.text ?? '';
  });
  return texts.join('\n') || undefined;
}

import crypto from 'node:crypto';
import WebSocket from 'ws';
import { msyncLogin } from '../../../bench/lib/msync-client';
import { decode, encode, pb } from '../../../src/vendors/easemob/msync/schema';
import type { ProvisionedApp, TestServer } from '../../helpers/harness';
import { sdkClient, until } from '../../helpers/easemob-sdk';
import { easemobClient } from './helpers';

/** GoBelieve's server credentials of an app: Basic base64(appid:md5(appsecret)). */
export function gobelieveBasic(app: ProvisionedApp) {
  const md5 = crypto.createHash('md5').update(app.gobelieve.appSecret).digest('hex');
  return `Basic ${Buffer.from(`${app.gobelieve.appId}:${md5}`).toString('base64')}`;
}

/** The msync URL of a test server (the SDK's `url`). */
export const msyncUrl = (server: TestServer, path = '/easemob/ws') => `${server.url.replace(/^http/, 'ws')}${path}`;

/**
 * An app with users (password `pw-123456`) and SDK connections for them: `online(name)` opens one
 * with a token from the REST password grant (what `open({ pwd })` does inside the SDK in a browser).
 */
export async function msyncUsers(server: TestServer, sdk: any, names: string[], base = server.url) {
  const em = await easemobClient(server);
  const appKey = `${em.orgName}#${em.appName}`;
  for (const username of names) {
    const r = await em.call('POST', '/users', { body: { username, password: 'pw-123456' }, contentType: 'application/json' });
    if (r.status !== 200) throw new Error(`register ${username}: ${JSON.stringify(r.body)}`);
  }
  const open: ReturnType<typeof sdkClient>[] = [];
  const tokenOf = async (username: string) =>
    (
      await em.call('POST', '/token', {
        token: null,
        contentType: 'application/json',
        body: { grant_type: 'password', username, password: 'pw-123456' },
      })
    ).body.access_token as string;
  /** An SDK connection (of another instance's server with `at`). */
  const client = (o: { delivery?: boolean; at?: string } = {}) => {
    const at = o.at ?? base;
    const c = sdkClient(sdk, { appKey, url: `${at.replace(/^http/, 'ws')}/easemob/ws`, apiUrl: `${at}/easemob`, delivery: o.delivery });
    open.push(c);
    return c;
  };
  return {
    em,
    appKey,
    tokenOf,
    client,
    async online(username: string, o: { delivery?: boolean; token?: string; at?: string } = {}) {
      const c = client(o);
      await c.conn.open({ user: username, accessToken: o.token ?? (await tokenOf(username)) });
      await until(() => c.got.connected > 0, `${username} connected`);
      return c;
    },
    closeAll() {
      for (const c of open.splice(0)) c.conn.close();
    },
  };
}

/**
 * A raw msync socket logged in as `username`, as a light client: `command(n)` sends a bare command
 * and resolves with its next answer's payload; `sync(queue)` asks for a queue's page; `next(n)`
 * waits for the next frame of command n (NOTICE 2, a pushed page 0).
 */
export async function rawSession(url: string, appKey: string, username: string, token: string) {
  const ws = new WebSocket(url);
  const waiting = new Map<number, (payload: Uint8Array) => void>();
  ws.on('message', (data: Buffer) => {
    const m = decode<{ command?: number; payload?: Uint8Array }>(pb.MSync, data);
    const w = waiting.get(m.command ?? 0);
    waiting.delete(m.command ?? 0);
    w?.(m.payload ?? new Uint8Array());
  });
  await new Promise((r) => ws.on('open', r));
  const next = (command: number) => new Promise<Uint8Array>((resolve) => waiting.set(command, resolve));
  const login = next(3);
  ws.send(msyncLogin(appKey, username, token));
  await login;
  return {
    next,
    command(command: number) {
      const got = next(command);
      ws.send(encode(pb.MSync, { version: 1, command }));
      return got;
    },
    async sync(queue: object) {
      const got = next(0);
      ws.send(encode(pb.MSync, { version: 1, command: 0, payload: encode(pb.CommSyncUL, { queue }) }));
      const page = decode<{ metas?: { id?: string; payload?: Uint8Array }[] }>(pb.CommSyncDL, await got);
      return (page.metas ?? []).map((meta) => ({
        id: meta.id,
        text: decode<{ contents?: { text?: string }[] }>(pb.MessageBody, meta.payload ?? new Uint8Array()).contents?.[0]?.text,
      }));
    },
    /** Uploads one text message to `to` (a user) and resolves with the server's answer. */
    async upload(id: number, to: string, text: string) {
      const got = next(0);
      const payload = encode(pb.MessageBody, { type: 1, contents: [{ type: 0, text }] });
      const meta = { id, to: { appKey, name: to, domain: 'easemob.com' }, ns: 1, payload };
      ws.send(encode(pb.MSync, { version: 1, command: 0, payload: encode(pb.CommSyncUL, { meta }) }));
      return decode<{ status?: { errorCode?: number; reason?: string }; metaId?: unknown }>(pb.CommSyncDL, await got);
    },
    close: () => ws.close(),
  };
}

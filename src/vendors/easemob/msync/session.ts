import crypto from 'node:crypto';
import type { WebSocket } from 'ws';
import { isDatabaseUnavailable } from '../../../db/errors';
import type { RequestContext } from '../../../domain/context';
import { isDomainError } from '../../../domain/errors';
import { inOrder } from '../../../events/live';
import type { UserRecord } from '../../../users/records';
import { recordRequest } from '../../../observability/metrics';
import { admitSocket } from '../../kit/admission';
import { provisionFrame, logoutFrame } from './frames';
import { Command, decode, ErrorCode, MalformedFrame, pb, type Jid } from './schema';
import type { MsyncDeps } from './deps';
import { createInboxSync, type InboxSync } from './inbox-sync';
import { handleUpload, type UploadedMeta } from './uploads';

interface MSync {
  guid?: Jid;
  auth?: string;
  command?: number;
  payload?: Uint8Array;
}
interface Provision {
  resource?: string;
  authToken?: string;
}
/** A SYNC upload: a meta, or a queue to page (its `key` only repeats our last `nextKey`, so it is not read). */
interface SyncUp {
  meta?: UploadedMeta;
  queue?: Jid;
}

const TOKEN_PREFIX = '$t$';
/** Operation names of the frames, for the request metrics. */
const COMMANDS: Record<number, string> = { 0: 'sync', 1: 'unread', 2: 'notice', 3: 'provision', 4: 'logout' };
const tokenOf = (auth: string | undefined) => (auth?.startsWith(TOKEN_PREFIX) ? auth.slice(TOKEN_PREFIX.length) : undefined);
function provisionToken(p: Provision): string | undefined {
  try {
    return tokenOf((JSON.parse(p.authToken ?? '{}') as { token?: string }).token);
  } catch {
    return undefined;
  }
}

/**
 * One SDK socket: PROVISION (login) first, then UNREAD (which queues hold undelivered messages;
 * also the SDK's heartbeat), SYNC (a queue's page, or an uploaded message, ack or recall), LOGOUT.
 * Frames are handled one at a time, in order, with live events between them (inbox-sync.ts).
 */
export class MsyncSession {
  private ctx?: RequestContext;
  private gone = false;
  private loginSent = false;
  private sync?: InboxSync;
  private readonly cleanup: (() => void)[] = [];
  private readonly steps = inOrder<() => void | Promise<void>>(
    (step) => step(),
    (e) => this.fail(e),
  );

  constructor(
    private readonly deps: MsyncDeps,
    readonly socket: WebSocket,
    private readonly address: string,
  ) {
    // The time to send a login, not to finish one: a busy database does not close a socket that logged in in time.
    const timer = setTimeout(() => this.loginSent || this.close(4408, 'login timeout'), deps.settings.authTimeoutMs);
    timer.unref();
    this.cleanup.push(() => clearTimeout(timer));
  }

  get authenticated() {
    return this.ctx !== undefined;
  }

  /** A binary frame from the client. */
  receive(data: Uint8Array) {
    let msync: MSync;
    try {
      msync = decode<MSync>(pb.MSync, data);
    } catch (e) {
      return this.fail(e);
    }
    if (msync.command === Command.PROVISION) this.loginSent = true;
    this.steps.push(async () => {
      const started = performance.now();
      await this.handle(msync);
      recordRequest('easemob-msync', COMMANDS[msync.command ?? -1] ?? 'unknown', 'handled', (performance.now() - started) / 1000);
    });
  }

  /** Queued behind the frames before it: a live event, or anything else that writes. */
  enqueue(step: () => void | Promise<void>) {
    this.steps.push(step);
  }

  private async handle(m: MSync) {
    const payload = m.payload ?? new Uint8Array();
    if (m.command === Command.PROVISION) return this.ctx ? undefined : this.provision(m, decode<Provision>(pb.Provision, payload));
    if (!this.ctx || !this.sync) return this.close(4401, 'login first');
    if (m.command === Command.UNREAD) return this.sync.unread();
    if (m.command === Command.LOGOUT) return (this.write(logoutFrame()), this.close(1000, 'logged out'));
    if (m.command !== Command.SYNC) return;
    const up = decode<SyncUp>(pb.CommSyncUL, payload);
    if (up.meta) return handleUpload(this.deps, this.sync, this.sync.fresh(), up.meta, (b) => this.write(b));
    if (up.queue) return this.sync.page(up.queue);
  }

  private async provision(m: MSync, p: Provision) {
    const refuse = (errorCode: number, reason: string) => (this.write(provisionFrame({ errorCode, reason })), this.close(1000, reason));
    const secret = tokenOf(m.auth) ?? provisionToken(p);
    const [org = '', name = ''] = (m.guid?.appKey ?? '').toLowerCase().split('#');
    if (!secret || org.length > 64 || name.length > 64) return refuse(ErrorCode.UNAUTHORIZED, 'Auth failed');
    const services = this.deps.kit.services;
    let ctx: RequestContext;
    let me: UserRecord;
    try {
      const app = await services.credentials.appNamed(this.deps.kind, { orgName: org, appName: name });
      ctx = await admitSocket(this.deps.kit, { address: this.address, log: this.deps.log, requestId: crypto.randomUUID() }, secret);
      const pr = ctx.principal;
      if (!app || pr.kind !== 'user' || pr.appId !== app.id) return refuse(ErrorCode.UNAUTHORIZED, 'Auth failed');
      me = await services.users.self(ctx);
    } catch (e) {
      if (isDomainError(e) && e.details.reason === 'token_expired') return refuse(ErrorCode.FAIL, 'Sorry, token expired');
      if (isDomainError(e) && e.code === 'UNAUTHENTICATED') return refuse(ErrorCode.UNAUTHORIZED, 'Auth failed');
      // The database is away or the address is over its budget: "try again later", which the SDK retries.
      if (isDatabaseUnavailable(e) || (isDomainError(e) && e.code === 'RATE_LIMITED')) return this.close(1013, 'try again later');
      throw e;
    }
    // The socket is its user's: a token of another user of the app is no login as this one.
    if (m.guid?.name && m.guid.name.toLowerCase() !== me.username.toLowerCase()) return refuse(ErrorCode.UNAUTHORIZED, 'Auth failed');
    // Closed while logging in: nothing may be left listening or counted.
    if (this.gone) return;
    const release = this.deps.devices.add(`${me.appId}:${me.id}`);
    if (!release) return refuse(ErrorCode.TOO_MANY_DEVICES, 'too many devices');
    this.cleanup.push(release);
    const resource = (p.resource ?? '').slice(0, 128) || `webim_${crypto.randomUUID()}`;
    this.ctx = ctx;
    this.sync = createInboxSync(this.deps, ctx, me, `${org}#${name}`, {
      write: (b) => this.write(b),
      close: (code, reason) => this.close(code, reason),
    });
    this.cleanup.push(() => this.sync!.stop());
    const expiresAt = ctx.principal.kind === 'user' ? ctx.principal.expiresAt : undefined;
    this.write(provisionFrame({ errorCode: ErrorCode.OK }, resource, expiresAt));
    this.sync.start((step) => this.enqueue(step), this.socket);
  }

  /** Writes a frame; a client that does not read what it is sent is closed (it syncs again on reconnect). */
  write(bytes: Uint8Array) {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > this.deps.settings.maxBufferedBytes) return this.close(1013, 'too slow: reconnect and sync');
    this.socket.send(bytes);
  }

  close(code: number, reason: string) {
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) this.socket.close(code, reason);
  }

  /** The socket is gone: stop listening, write what was delivered. */
  closed() {
    this.gone = true;
    this.steps.close();
    for (const c of this.cleanup.splice(0)) c();
  }

  /** A frame that does not decode closes 1007; a database away 1013 (the SDK reconnects); anything else 1011, logged. */
  private fail(e: unknown) {
    if (e instanceof MalformedFrame) return this.close(1007, e.message);
    if (isDatabaseUnavailable(e)) return this.close(1013, 'try again later');
    this.deps.log.warn({ err: e }, 'msync session failed');
    this.close(1011, 'internal error');
  }
}

import type { AppRecord } from '../../apps/service';
import type { KitCall, Rendered } from '../kit/dialect';
import { easemobIds } from './credentials';

/** One Easemob request after its app and caller have been established. */
export interface EasemobCall extends KitCall {
  app: AppRecord;
  /** The app's UUID in responses (`application`). */
  application: string;
  /** `http(s)://host[/easemob]/{org}/{app}`: what `uri` fields start with. */
  base: string;
  /** The request path after `/{org}/{app}` (no query). */
  path: string;
  /** The raw query, echoed back as `params` by list calls. */
  rawQuery: Record<string, unknown>;
  /** The request's headers (chat files read `restrict-access`, `share-secret`, `thumbnail`). */
  headers: Record<string, string | string[] | undefined>;
}

/** The Usergrid envelope's variable fields. */
export interface Envelope {
  path?: string;
  /** Defaults to base + path; `request` uses the request's own path. */
  uri?: string | 'request';
  entities?: unknown[];
  data?: unknown;
  count?: number;
  cursor?: string;
  params?: Record<string, string[]>;
}

/** What a route returns: the full envelope, the short `{action, …, timestamp, duration}`, or a body as is. */
export type EasemobResult =
  | { kind: 'envelope'; action: string; fields: Envelope }
  | { kind: 'summary'; action: string; extra: Record<string, unknown> }
  | { kind: 'plain'; body: Record<string, unknown> }
  | { kind: 'file'; body: NodeJS.ReadableStream; headers: Record<string, string> };

export const envelope = (action: string, fields: Envelope = {}): EasemobResult => ({ kind: 'envelope', action, fields });
export const summary = (action: string, extra: Record<string, unknown> = {}): EasemobResult => ({ kind: 'summary', action, extra });
export const plain = (body: Record<string, unknown>): EasemobResult => ({ kind: 'plain', body });
/** A download (the history export): a stream with its own content type. */
export const file = (body: NodeJS.ReadableStream, headers: Record<string, string>): EasemobResult => ({ kind: 'file', body, headers });

export function renderSuccess(call: EasemobCall, r: EasemobResult): Rendered {
  const now = Date.now();
  const timing = { timestamp: now, duration: now - call.started };
  if (r.kind === 'plain') return { status: 200, body: r.body };
  if (r.kind === 'file') return { status: 200, body: r.body, headers: r.headers };
  if (r.kind === 'summary') return { status: 200, body: { action: r.action, ...r.extra, ...timing } };
  const f = r.fields;
  const path = f.path ?? '/users';
  return {
    status: 200,
    body: {
      action: r.action,
      application: call.application,
      ...(f.params ? { params: f.params } : {}),
      path,
      uri: f.uri === 'request' ? `${call.base}${call.path}` : (f.uri ?? `${call.base}${path}`),
      entities: f.entities ?? [],
      ...(f.data !== undefined ? { data: f.data } : {}),
      ...timing,
      organization: easemobIds(call.app).orgName,
      applicationName: easemobIds(call.app).appName,
      ...(f.count !== undefined ? { count: f.count } : {}),
      ...(f.cursor ? { cursor: f.cursor } : {}),
    },
  };
}

/** Query parameters echoed the Usergrid way: every value as an array of strings. */
export function echoParams(query: Record<string, unknown>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : [String(v)]]));
}

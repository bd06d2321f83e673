import { provisionApp, type ProvisionedApp, type TestServer } from '../../helpers/harness';

export interface EmResponse {
  status: number;
  body: any;
  headers: Headers;
}

/** An Easemob REST client for one app of a test server, speaking exactly what curl would send. */
export async function easemobClient(
  server: TestServer,
  opts: { openRegistration?: boolean; base?: string; app?: ProvisionedApp & { token: string } } = {},
) {
  const app = opts.app ?? (await provisionApp(server, undefined, opts.openRegistration ?? false));
  const { orgName, appName, clientId, clientSecret } = app.easemob;
  const root = `${opts.base ?? `${server.url}/easemob`}/${orgName}/${appName}`;
  async function call(
    method: string,
    path: string,
    o: { body?: unknown; token?: string | null; contentType?: string | null; raw?: string } = {},
  ): Promise<EmResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (o.token !== null) headers.authorization = `Bearer ${o.token ?? admin}`;
    const body = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
    // curl -d without -H Content-Type sends form-urlencoded: the default here too, as in the document.
    if (o.contentType !== null && (body !== undefined || o.contentType))
      headers['content-type'] = o.contentType ?? 'application/x-www-form-urlencoded';
    const res = await fetch(`${root}${path}`, { method, headers, body });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  }
  const grant = await call('POST', '/token', {
    token: null,
    contentType: 'application/json',
    body: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
  });
  if (grant.status !== 200) throw new Error(`token grant failed: ${JSON.stringify(grant.body)}`);
  const admin = grant.body.access_token as string;
  return { app, root, admin, application: grant.body.application as string, orgName, appName, clientId, clientSecret, call };
}

export type EasemobClient = Awaited<ReturnType<typeof easemobClient>>;

/** The error body of the document: exactly these fields. */
export function expectEasemobError(res: EmResponse, status: number, error: string) {
  expect({ status: res.status, error: res.body?.error }).toEqual({ status, error });
  expect(Object.keys(res.body).sort()).toEqual(['duration', 'error', 'error_description', 'exception', 'timestamp']);
  expect(typeof res.body.timestamp).toBe('number');
  expect(typeof res.body.error_description).toBe('string');
  expect(JSON.stringify(res.body)).not.toMatch(/\n\s+at /);
}

export const ENTITY_KEYS = ['activated', 'created', 'modified', 'type', 'username', 'uuid'];
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The envelope fields every full response carries, checked one by one. */
export function expectEnvelope(c: EasemobClient, body: any, action: string, path: string) {
  expect(body.action).toBe(action);
  expect(body.application).toBe(c.application);
  expect(body.path).toBe(path);
  expect(body.uri).toBe(`${c.root}${path}`);
  expect(Array.isArray(body.entities)).toBe(true);
  expect(typeof body.timestamp).toBe('number');
  expect(typeof body.duration).toBe('number');
  expect(body.organization).toBe(c.orgName);
  expect(body.applicationName).toBe(c.appName);
}

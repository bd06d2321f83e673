import crypto from 'node:crypto';
import { provisionApp, type TestServer } from '../../helpers/harness';

export interface GbResponse {
  status: number;
  body: any;
}

/** A GoBelieve app server's client: Basic base64(appid:md5(appsecret)) for server calls, Bearer for client calls. */
export async function gobelieveClient(server: TestServer, base = `${server.url}/gobelieve`) {
  const app = await provisionApp(server);
  const md5 = crypto.createHash('md5').update(app.gobelieve.appSecret).digest('hex');
  const basic = `Basic ${Buffer.from(`${app.gobelieve.appId}:${md5}`).toString('base64')}`;
  async function call(method: string, path: string, body?: unknown, o: { auth?: string | null; raw?: string } = {}): Promise<GbResponse> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (o.auth !== null) headers.authorization = o.auth ?? basic;
    const res = await fetch(`${base}${path}`, { method, headers, body: o.raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
  return { app, basic, call };
}

export function expectOk(res: GbResponse) {
  expect({ status: res.status, meta: res.body?.meta }).toEqual({ status: 200, meta: undefined });
  expect(Object.keys(res.body)).toEqual(['data']);
  return res.body.data;
}

export function expectGbError(res: GbResponse, status: number) {
  expect(res.status).toBe(status);
  expect(Object.keys(res.body)).toEqual(['meta']);
  expect(res.body.meta).toEqual({ code: status, message: expect.any(String) });
  expect(JSON.stringify(res.body)).not.toMatch(/\n\s+at /);
}

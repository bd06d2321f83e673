import { provisionApp, type TestServer } from '../../helpers/harness';

export interface ImRes {
  status: number;
  body: any;
}

/** An Imbee client for one app: `Authorization: <myAuth>`, `X-WOOS-KEY: <corporate key or a user's apikey>`, JSON bodies. */
export async function imbeeClient(server: TestServer, base = `${server.url}/imbee`) {
  const app = await provisionApp(server);
  async function call(
    path: string,
    body: unknown,
    o: { key?: string; auth?: string | null; contentType?: string; raw?: string } = {},
  ): Promise<ImRes> {
    const headers: Record<string, string> = {
      'content-type': o.contentType ?? 'application/json',
      'x-woos-key': o.key ?? app.imbee.corporateKey,
    };
    if (o.auth !== null) headers.authorization = o.auth ?? app.imbee.authToken;
    const res = await fetch(`${base}${path}`, { method: 'POST', headers, body: o.raw ?? JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  }
  return { app, call };
}

/** The envelope of every answer. */
export function expectEnvelope(res: ImRes, status: number, code: number) {
  expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
  expect(Object.keys(res.body).sort()).toEqual(['body', 'code', 'message', 'time']);
  expect(typeof res.body.time).toBe('number');
  expect(typeof res.body.message).toBe('string');
  return res.body.body;
}

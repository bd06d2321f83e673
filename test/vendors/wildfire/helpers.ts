import crypto from 'node:crypto';

export interface WfResponse {
  status: number;
  body: any;
  headers: Headers;
}

/** Headers exactly as the document signs them: sign = sha1(nonce|secret|timestamp). */
export function signedHeaders(rid: string, secret: string, o: { nonce?: string; timestamp?: number } = {}) {
  const nonce = o.nonce ?? String(crypto.randomInt(1, 2 ** 47));
  const timestamp = String(o.timestamp ?? Date.now());
  const sign = crypto.createHash('sha1').update(`${nonce}|${secret}|${timestamp}`).digest('hex');
  return { nonce, timestamp, sign, rid };
}

/** A Wildfire robot server's client: signed POSTs with JSON bodies, as the vendor's SDK sends them. */
export function wildfireClient(base: string, rid: string, secret: string) {
  return async function call(
    path: string,
    body?: unknown,
    o: { headers?: Record<string, string | undefined>; raw?: string; nonce?: string; timestamp?: number } = {},
  ): Promise<WfResponse> {
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    for (const [k, v] of Object.entries({ ...signedHeaders(rid, secret, o), ...o.headers })) if (v !== undefined) headers[k] = v;
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers,
      body: o.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
}

/** Every Wildfire answer: HTTP 200, JSON in UTF-8, `{code, msg[, result]}`, the code as expected. */
export function expectCode(res: WfResponse, code: number) {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status: 200, code });
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(typeof res.body.msg).toBe('string');
  expect(JSON.stringify(res.body)).not.toMatch(/\n\s+at /);
}

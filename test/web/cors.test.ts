import type { Browser } from 'playwright-core';
import { launchBrowser, servePageOrigin } from '../helpers/browser';
import { provisionApp, startTestServer, type TestServer } from '../helpers/harness';

// Issue 16: a frontend on another origin calls the API from a real browser; CORS decides.
describe('CORS', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Awaited<ReturnType<typeof servePageOrigin>>;
  let app: Awaited<ReturnType<typeof provisionApp>>;
  const allowed = () => `http://127.0.0.1:${page.port}`;

  beforeAll(async () => {
    page = await servePageOrigin();
    server = await startTestServer({ CORS_ORIGINS: `http://127.0.0.1:${page.port}, https://app.example.com` });
    app = await provisionApp(server);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await page?.close();
    await server?.close();
  });

  /** Runs fetch() in a page of `origin` against the server: what a browser SDK does. */
  async function fetchFrom(origin: string, path: string, init: { method: string; headers?: Record<string, string>; body?: string }) {
    const tab = await browser.newPage();
    try {
      await tab.goto(`${origin}/`);
      return await tab.evaluate(
        async ({ url, init }) => {
          try {
            const res = await fetch(url, init);
            return { status: res.status, body: await res.text() };
          } catch (e) {
            return { blocked: String(e) };
          }
        },
        { url: `${server.url}${path}`, init },
      );
    } finally {
      await tab.close();
    }
  }

  const graphqlCall = {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: '' },
    body: JSON.stringify({ query: '{ viewer { kind app { name } } }' }),
  };

  it('lets a page of an allowed origin call /graphql with a bearer token (preflight, then the call)', async () => {
    const res = await fetchFrom(allowed(), '/graphql', {
      ...graphqlCall,
      headers: { ...graphqlCall.headers, authorization: `Bearer ${app.token}` },
    });
    expect(res).toMatchObject({ status: 200 });
    expect(JSON.parse((res as { body: string }).body).data.viewer).toEqual({ kind: 'APP', app: { name: app.name } });
  });

  it('lets it call a vendor adapter too', async () => {
    const res = await fetchFrom(allowed(), `/easemob/${app.easemob.orgName}/${app.easemob.appName}/users?limit=1`, {
      method: 'GET',
      headers: { authorization: `Bearer ${app.token}` },
    });
    expect(res).toMatchObject({ status: 200 });
  });

  it('blocks a page of any other origin', async () => {
    const res = await fetchFrom(`http://localhost:${page.port}`, '/graphql', {
      ...graphqlCall,
      headers: { ...graphqlCall.headers, authorization: `Bearer ${app.token}` },
    });
    expect(res).toHaveProperty('blocked');
  });

  it('answers preflights with the allowed origin only, and marks responses as varying by origin', async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}/graphql`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
      });
    const ok = await preflight('https://app.example.com');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
    expect(ok.headers.get('access-control-allow-headers')).toBe('content-type,authorization');
    expect(ok.headers.get('access-control-max-age')).toBe('600');
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull();
    const refused = await preflight('https://evil.example.net');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    const plain = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { origin: 'https://app.example.com', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ viewer { kind } }' }),
    });
    expect(plain.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(plain.headers.get('vary')).toMatch(/origin/i);
    expect(plain.headers.get('access-control-expose-headers')).toMatch(/retry-after/i);
  });

  it('sends no CORS headers at all when no origin is configured (the default outside development)', async () => {
    const closed = await startTestServer();
    try {
      const res = await fetch(`${closed.url}/graphql`, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
      });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await closed.close();
    }
  });
});

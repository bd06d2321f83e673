import { startTestServer, type TestServer } from '../helpers/harness';

describe('HTTP transport errors', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ BODY_LIMIT_BYTES: '2048' });
  });
  afterAll(() => server.close());

  const post = (body: string | Buffer, contentType = 'application/json') =>
    fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': contentType }, body });

  it('answers malformed JSON with 400 in GraphQL shape', async () => {
    const res = await post('{"query": ');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errors: [{ message: 'request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('answers a wrong content type with 415', async () => {
    const res = await post('query { viewer { kind } }', 'text/plain');
    expect(res.status).toBe(415);
    const body = (await res.json()) as any;
    expect(body.errors[0].extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers an oversized body with 413', async () => {
    const res = await post(JSON.stringify({ query: `{ viewer { kind } }`, variables: { pad: 'x'.repeat(4096) } }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).errors[0].message).toBe('request body exceeds 2048 bytes');
  });

  it('answers a body without a query with 400, and a syntax error without internals', async () => {
    const noQuery = await post(JSON.stringify({ variables: {} }));
    expect(noQuery.status).toBe(400);
    const syntax = await post(JSON.stringify({ query: '{ viewer { kind }' }));
    expect(syntax.status).toBe(400);
    const body = (await syntax.json()) as any;
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(JSON.stringify(body)).not.toMatch(/stacktrace|node_modules/);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await fetch(`${server.url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'NOT_FOUND', message: 'no route for GET /nope' });
  });

  it('refuses GET queries without a CSRF-safe header (Apollo CSRF prevention)', async () => {
    const res = await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ viewer { kind } }')}`);
    expect(res.status).toBe(400);
    const ok = await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ viewer { kind } }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(await ok.json()).toEqual({ data: { viewer: { kind: 'ANONYMOUS' } } });
  });
});

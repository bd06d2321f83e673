import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OPERATOR_TOKEN, provisionApp, registerUser, startTestServer, userToken, type TestServer } from '../helpers/harness';
import { openRaw } from '../helpers/raw-ws';

// Issue 16: automatic persisted queries for browsers, and an allow-list of operations for production.
const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');
const VIEWER = '{ viewer { kind } }';
const SUBSCRIBE = 'subscription($c: ID!) { messageAdded(conversationId: $c) { text } }';

async function post(server: TestServer, body: Record<string, unknown>, token?: string) {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] } };
}
const apq = (query: string) => ({ persistedQuery: { version: 1, sha256Hash: sha256(query) } });

describe('automatic persisted queries', () => {
  let server: TestServer;
  beforeAll(async () => (server = await startTestServer()));
  afterAll(() => server.close());

  it('misses an unknown hash, stores the query sent with it, then runs it from the hash alone', async () => {
    const query = `{ viewer { kind tokenExpiresAt } }`;
    const miss = await post(server, { extensions: apq(query) });
    expect(miss.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const register = await post(server, { query, extensions: apq(query) });
    expect(register.body.data.viewer.kind).toBe('ANONYMOUS');
    const hit = await post(server, { extensions: apq(query) });
    expect(hit.body).toEqual({ data: { viewer: { kind: 'ANONYMOUS', tokenExpiresAt: null } } });
    const wrong = await post(server, { query: VIEWER, extensions: apq(query) });
    expect(wrong.status).toBe(400);
  });

  it('is off with GRAPHQL_APQ_CACHE_BYTES=0', async () => {
    const off = await startTestServer({ GRAPHQL_APQ_CACHE_BYTES: '0' });
    try {
      expect((await post(off, { query: VIEWER, extensions: apq(VIEWER) })).body.errors?.[0]?.extensions?.code).toBe(
        'PERSISTED_QUERY_NOT_SUPPORTED',
      );
    } finally {
      await off.close();
    }
  });
});

describe('the persisted-operations allow-list', () => {
  let setup: TestServer;
  let server: TestServer;
  let dir: string;
  let alice: string;
  let conversationId: string;
  const LISTED = 'query Me { viewer { kind user { username } } }';

  beforeAll(async () => {
    // Provisioning is not on the list: a second instance without it, on the same database, does it.
    setup = await startTestServer();
    const app = await provisionApp(setup);
    await registerUser(setup, app.token, 'alice');
    await registerUser(setup, app.token, 'bob');
    alice = await userToken(setup, app.appId, 'alice');
    const send = `mutation { sendMessage(input: { to: { username: "bob" }, type: TEXT, text: "hi" }) { conversationId } }`;
    conversationId = (await setup.ok(send, {}, alice)).sendMessage.conversationId;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'persisted-'));
    const manifest = {
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: [
        { id: 'me-v1', name: 'Me', type: 'query', body: LISTED },
        { id: 'live-v1', name: 'Live', type: 'subscription', body: SUBSCRIBE },
      ],
    };
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    server = await startTestServer({
      PERSISTED_OPERATIONS: path.join(dir, 'manifest.json'),
      MONGODB_DB_NAME: setup.app.config.database.name,
    });
  });
  afterAll(async () => {
    await server?.close();
    await setup?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs a listed operation by its text or by its manifest id, and refuses anything else before running it', async () => {
    expect((await post(server, { query: LISTED }, alice)).body).toEqual({
      data: { viewer: { kind: 'USER', user: { username: 'alice' } } },
    });
    const byId = await post(server, { extensions: { persistedQuery: { version: 1, sha256Hash: 'me-v1' } } }, alice);
    expect(byId.body.data.viewer.kind).toBe('USER');
    const unlisted = await post(server, { query: VIEWER }, alice);
    expect(unlisted.status).toBe(400);
    expect(unlisted.body.errors?.[0]?.extensions?.code).toBe('QUERY_NOT_IN_SAFELIST');
    // Nothing can be registered: the text sent with its hash is refused and stored nowhere.
    expect((await post(server, { query: VIEWER, extensions: apq(VIEWER) })).body.errors?.[0]?.extensions?.code).toBe(
      'QUERY_NOT_IN_SAFELIST',
    );
    expect((await post(server, { extensions: apq(VIEWER) })).body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('binds clients, not the operator: the console and operator scripts run unlisted operations', async () => {
    const figures = 'query ConsoleFigures { serverFigures { recording } }';
    expect((await post(server, { query: figures }, OPERATOR_TOKEN)).body.data.serverFigures).toEqual({ recording: false });
    expect((await post(server, { query: figures }, alice)).body.errors?.[0]?.extensions?.code).toBe('QUERY_NOT_IN_SAFELIST');
  });

  it('applies over graphql-ws too: a listed subscription (by text or id) runs, another is refused', async () => {
    const ws = await openRaw(server.wsUrl);
    await ws.init(alice);
    ws.send({ id: 'listed', type: 'subscribe', payload: { query: SUBSCRIBE, variables: { c: conversationId } } });
    ws.send({
      id: 'by-id',
      type: 'subscribe',
      payload: { query: '', variables: { c: conversationId }, extensions: { persistedQuery: { version: 1, sha256Hash: 'live-v1' } } },
    });
    ws.send({ id: 'unlisted', type: 'subscribe', payload: { query: 'subscription { conversationChanged { change } }' } });
    const refused = await ws.waitFor((m) => m.id === 'unlisted');
    expect(refused).toMatchObject({ type: 'error', payload: [{ extensions: { code: 'QUERY_NOT_IN_SAFELIST' } }] });
    await new Promise((r) => setTimeout(r, 300));
    expect(ws.messages.filter((m) => m.id === 'listed' || m.id === 'by-id')).toEqual([]);
    ws.socket.close();
  });

  it('always admits the operations of the web chat page behind Imbee links, which it serves to the page', async () => {
    const res = await fetch(`${server.url}/imbee/chat/operations.json`);
    const ops = (await res.json()) as Record<'open' | 'history' | 'send' | 'live', string>;
    expect(Object.keys(ops).sort()).toEqual(['history', 'live', 'open', 'send']);
    const history = await post(server, { query: ops.history, variables: { c: conversationId } }, alice);
    expect(history.body.errors).toBeUndefined();
    expect(history.body.data.messages.nodes.map((m: { text: string }) => m.text)).toEqual(['hi']);
    const ws = await openRaw(server.wsUrl);
    await ws.init(alice);
    ws.send({ id: 'page', type: 'subscribe', payload: { query: ops.live, variables: { c: conversationId, a: null } } });
    await new Promise((r) => setTimeout(r, 300));
    expect(ws.messages.filter((m) => m.id === 'page')).toEqual([]);
    ws.socket.close();
  });
});

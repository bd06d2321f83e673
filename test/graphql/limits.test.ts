import type WebSocket from 'ws';
import { provisionApp, registerUser, startTestServer, userToken, wsHandshake, type TestServer } from '../helpers/harness';

/** Group ↔ conversation, round and round: `n` levels below conversations.nodes. */
const deep = (n: number) =>
  `query { conversations(first: 1) { nodes { ${'group { conversation { '.repeat(n / 2)}id${' } }'.repeat(n / 2)} } } }`;
const aliases = (n: number) => `query { ${Array.from({ length: n }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
const tokens = (n: number) => `query { ${Array.from({ length: n }, () => '__typename').join(' ')} }`;
const costly = (first: number) =>
  `query { messages(conversationId: "000000000000000000000000", first: ${first}) { nodes { id text sender { username } } } }`;

/** One operation over graphql-ws; resolves with the first message about it. */
function overWs(socket: WebSocket, id: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  return new Promise((resolve) => {
    const on = (d: unknown) => {
      const m = JSON.parse(String(d));
      if (m.id === id) {
        socket.off('message', on);
        resolve(m);
      }
    };
    socket.on('message', on);
    socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
  });
}

const code = (body: any) => body.errors?.[0]?.extensions?.code;

// Limits before execution, the same over HTTP and graphql-ws (defaults: depth 10, aliases 15, tokens 2,000).
describe('GraphQL operation limits', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer({ GRAPHQL_MAX_COST: '500' });
    const app = await provisionApp(server);
    await registerUser(server, app.token, 'lim');
    token = await userToken(server, app.appId, 'lim');
  });
  afterAll(() => server.close());

  it.each([
    ['depth', deep(12), deep(6)],
    ['aliases', aliases(16), aliases(15)],
    ['tokens', tokens(2_100), tokens(100)],
    ['cost', costly(100), costly(2)],
  ])('refuses an operation over the %s limit with QUERY_TOO_COMPLEX, over HTTP and WebSocket', async (limit, over, under) => {
    const http = await server.gql(over, {}, token);
    expect(http.status).toBe(400);
    expect(http.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit });
    expect(code((await server.gql(under, {}, token)).body)).not.toBe('QUERY_TOO_COMPLEX');

    const { socket } = await wsHandshake(server.wsUrl, { authorization: `Bearer ${token}` });
    const refused = await overWs(socket, '1', over);
    expect(refused.type).toBe('error');
    expect(refused.payload[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit });
    const accepted = await overWs(socket, '2', under);
    expect(JSON.stringify(accepted)).not.toContain('QUERY_TOO_COMPLEX');
    socket.close();
  });

  // Each distinct document is priced once per shape of its variables (src/graphql/analysis-cache.ts):
  // a cheap run of a document must not let the same text through with a bigger page.
  it('prices one document again for each shape of its variables, over HTTP and WebSocket', async () => {
    const paged =
      'query Paged($n: Int, $skip: Boolean!) { messages(conversationId: "000000000000000000000000", first: $n) { nodes { id @skip(if: $skip) text sender { username } } } }';
    const run = async (variables: Record<string, unknown>) => code((await server.gql(paged, variables, token)).body);
    const { socket } = await wsHandshake(server.wsUrl, { authorization: `Bearer ${token}` });
    const overSocket = async (id: string, variables: Record<string, unknown>) => {
      const m = await overWs(socket, id, paged, variables);
      return m.type === 'error' ? m.payload[0].extensions.code : undefined;
    };
    for (let i = 0; i < 2; i++) {
      expect(await run({ n: 2, skip: false })).not.toBe('QUERY_TOO_COMPLEX');
      expect(await run({ n: 100, skip: false })).toBe('QUERY_TOO_COMPLEX');
      // A failed coercion is not cached as "no cost": the valid heavy page after it is still priced.
      expect(await run({ n: 'many', skip: false })).toBe('BAD_USER_INPUT');
      expect(await run({ n: 100, skip: false })).toBe('QUERY_TOO_COMPLEX');
      // @skip is part of the shape: without `id` the page of 100 costs 401, under the limit of 500.
      expect(await run({ n: 100, skip: true })).toBe('NOT_FOUND');
      expect(await overSocket(`c${i}`, { n: 2, skip: false })).not.toBe('QUERY_TOO_COMPLEX');
      expect(await overSocket(`d${i}`, { n: 100, skip: false })).toBe('QUERY_TOO_COMPLEX');
    }
    socket.close();
  });
});

describe('production settings over WebSocket too', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: 'production', IMBEE_PUBLIC_URL: 'https://chat.example.com', DEMO_APP: 'false' });
    const app = await provisionApp(server);
    await registerUser(server, app.token, 'prod');
    token = await userToken(server, app.appId, 'prod');
  });
  afterAll(() => server.close());

  it('refuses introspection and gives no "Did you mean" suggestions, over HTTP and graphql-ws', async () => {
    const { socket } = await wsHandshake(server.wsUrl, { authorization: `Bearer ${token}` });
    const intro = await overWs(socket, '1', '{ __schema { types { name } } }');
    expect(intro.type).toBe('error');
    const typo = await overWs(socket, '2', '{ me { usernam } }');
    expect(JSON.stringify(typo)).not.toMatch(/Did you mean/);
    expect(typo.type).toBe('error');
    socket.close();
    const coercion = await server.gql(`query($r: UserRef!) { user(ref: $r) { id } }`, { r: { usernam: 'x' } }, token);
    expect(code(coercion.body)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(coercion.body)).not.toMatch(/Did you mean/);
    expect(JSON.stringify((await server.gql('{ me { usernam } }', {}, token)).body)).not.toMatch(/Did you mean/);
  });
});

import crypto from 'node:crypto';
import { print, type DocumentNode } from 'graphql';
import { freePort } from '../../src/db/probe';
import { OPERATOR_TOKEN, provisionApp, registerUser, testDatabaseName, userToken, wsHandshake, type TestServer } from '../helpers/harness';
import { subscribe } from '../helpers/live';
import { runNode, type Spawned } from '../helpers/process';

// Two real server processes on one database and the machine's Redis (REDIS_URL): one cluster.
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A server process, reachable like the in-process test server (gql/ok over real HTTP). */
async function instance(env: Record<string, string>): Promise<{ server: TestServer; proc: Spawned }> {
  const port = await freePort();
  const proc = runNode('dist/src/main.js', [], { ...env, PORT: String(port) });
  await proc.waitFor(/imfacade listening/);
  const url = `http://127.0.0.1:${port}`;
  const gql = async (query: string | DocumentNode, variables?: unknown, token?: string) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: typeof query === 'string' ? query : print(query), variables }),
    });
    return { status: res.status, body: (await res.json()) as any, headers: res.headers };
  };
  const server = {
    url,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    gql,
    async ok(query: string | DocumentNode, variables?: unknown, token?: string) {
      const res = await gql(query, variables, token);
      if (res.body.errors?.length) throw new Error(`GraphQL call failed: ${JSON.stringify(res.body.errors)}`);
      return res.body.data;
    },
    close: async () => undefined,
  } as unknown as TestServer;
  return { server, proc };
}

describe('two instances with Redis', () => {
  let a: Awaited<ReturnType<typeof instance>>;
  let b: Awaited<ReturnType<typeof instance>>;
  beforeAll(async () => {
    const env = {
      MONGODB_URI: process.env.TEST_MONGODB_URI!,
      MONGODB_DB_NAME: testDatabaseName(),
      REDIS_URL,
      REDIS_KEY_PREFIX: `test-${crypto.randomBytes(4).toString('hex')}:`,
      OPERATOR_TOKEN,
      DEMO_APP: 'false',
      GRAPHQL_RATE_LIMIT: '0',
      ANONYMOUS_RATE_LIMIT: '0',
      LOG_LEVEL: 'info',
    };
    a = await instance(env);
    b = await instance(env);
  }, 60_000);
  afterAll(async () => {
    for (const i of [a, b]) {
      i?.proc.child.kill('SIGTERM');
      await i?.proc.exited;
    }
  });

  it('reports Redis in /readyz', async () => {
    expect(await (await fetch(`${b.server.url}/readyz`)).json()).toEqual({ status: 'ready', database: 'up', redis: 'up' });
  });

  it('delivers a message sent on A live to a subscriber on B, and closes a socket on B when A revokes its token', async () => {
    const app = await provisionApp(a.server, 'cluster');
    await registerUser(a.server, app.token, 'alice');
    await registerUser(a.server, app.token, 'bob');
    const alice = await userToken(a.server, app.appId, 'alice');
    const bob = await userToken(b.server, app.appId, 'bob');
    const { openDirectConversation } = await a.server.ok(
      `mutation { openDirectConversation(peer: { username: "bob" }) { id } }`,
      {},
      alice,
    );
    const live = subscribe(b.server.wsUrl, bob, 'subscription($c: ID) { messageAdded(conversationId: $c) { seq text } }', {
      c: openDirectConversation.id,
    });
    await new Promise((r) => setTimeout(r, 300)); // the subscription is set up on B
    for (const text of ['one', 'two', 'three'])
      await a.server.ok(
        `mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }`,
        {
          i: { conversationId: openDirectConversation.id, type: 'TEXT', text },
        },
        alice,
      );
    const got = await live.waitFor(3, 5_000);
    expect(got.map((m) => m.data.messageAdded.text)).toEqual(['one', 'two', 'three']);
    await live.close();

    // A socket of Bob's on B ends within a second of A revoking the token.
    const { socket } = await wsHandshake(b.server.wsUrl, { authorization: `Bearer ${bob}` });
    const closed = new Promise<number>((r) => socket.on('close', (code) => r(code)));
    const t = Date.now();
    await a.server.ok(`mutation($t: String!) { revokeToken(token: $t) }`, { t: bob }, app.token);
    expect(await closed).toBe(4403);
    expect(Date.now() - t).toBeLessThan(1_000);
    // …and B refuses the token at once (its cache heard of the revocation too).
    expect((await b.server.gql(`{ me { username } }`, {}, bob)).status).toBe(401);
  });
});

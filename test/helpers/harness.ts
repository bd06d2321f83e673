import crypto from 'node:crypto';
import path from 'node:path';
import pino from 'pino';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode } from 'graphql';
import WebSocket from 'ws';
import { createApplication, type Application } from '../../src/app/index';
import { loadConfig } from '../../src/app/config';
import { builtInAdapters, type AnyAdapter } from '../../src/vendors';
import { CreateAppDocument, CreateAppTokenDocument, CreateUserTokenDocument, RegisterUserDocument } from '../generated/documents';

export const OPERATOR_TOKEN = 'test-operator-token-0123456789abcdef';

export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  body: { data?: T | null; errors?: { message: string; extensions?: Record<string, unknown>; path?: unknown[] }[] };
  headers: Headers;
}

/** A real server on a free port, with a database of its own (dropped by close()). */
export interface TestServer {
  app: Application;
  url: string;
  wsUrl: string;
  /** A typed document (test/graphql/documents, `npm run codegen`) checks its variables and types its data. */
  gql<R, V>(query: TypedDocumentNode<R, V>, variables: V, token?: string): Promise<GqlResponse<R>>;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResponse<T>>;
  /** Like gql but fails the test on any GraphQL error; returns data. */
  ok<R, V>(query: TypedDocumentNode<R, V>, variables: V, token?: string): Promise<R>;
  ok<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<T>;
  close(): Promise<void>;
}

const sourceOf = (query: string | DocumentNode) => (typeof query === 'string' ? query : print(query));

export function testDatabaseName(): string {
  const file = path
    .basename(expect.getState().testPath ?? 'test')
    .replace(/\.test\.ts$/, '')
    .replace(/[^A-Za-z0-9]/g, '_');
  return `t_${file.slice(0, 40)}_${crypto.randomBytes(4).toString('hex')}`;
}

/** Real time plus what a test added: rate budgets refill when the test says, not when the machine gets round to it. */
export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

export function testClock(): TestClock {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms) => void (offset += ms) };
}

/**
 * Starts a server on the test database; `o.adapters` are registered besides the built-in ones;
 * `o.clock` drives its in-process rate budgets.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  mongodbUri = process.env.TEST_MONGODB_URI,
  o: { adapters?: readonly AnyAdapter[]; clock?: TestClock } = {},
): Promise<TestServer> {
  if (!mongodbUri) throw new Error('TEST_MONGODB_URI is not set: run the tests through jest (global setup)');
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      MONGODB_URI: mongodbUri,
      MONGODB_DB_NAME: testDatabaseName(),
      OPERATOR_TOKEN,
      // Tests log in and grant tokens in bursts; the limits have tests of their own that set them.
      GRAPHQL_RATE_LIMIT: '0',
      ANONYMOUS_RATE_LIMIT: '500',
      ...env,
    },
    o.adapters,
  );
  const app = await createApplication(config, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), {
    adapters: [...builtInAdapters, ...(o.adapters ?? [])],
    now: o.clock?.now,
  });
  const url = await app.listen();
  const gql = async (query: string | DocumentNode, variables?: unknown, token?: string): Promise<GqlResponse<any>> => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: sourceOf(query), variables }),
    });
    return { status: res.status, body: (await res.json()) as GqlResponse['body'], headers: res.headers };
  };
  return {
    app,
    url,
    wsUrl: url.replace(/^http/, 'ws') + '/graphql',
    gql: gql as TestServer['gql'],
    async ok(query: string | DocumentNode, variables?: unknown, token?: string) {
      const res = await gql(query, variables, token);
      if (res.body.errors?.length || res.status !== 200) {
        throw new Error(`GraphQL call failed (${res.status}): ${JSON.stringify(res.body.errors ?? res.body)}`);
      }
      return res.body.data as never;
    },
    async close() {
      await app.db.connection.dropDatabase().catch(() => undefined);
      await app.close();
    },
  };
}

/** The `extensions.code` of the first GraphQL error, for compact assertions. */
export const errorCode = (res: GqlResponse) => res.body.errors?.[0]?.extensions?.code;

export interface ProvisionedApp {
  appId: string;
  name: string;
  easemob: { orgName: string; appName: string; clientId: string; clientSecret: string };
  gobelieve: { appId: number; appSecret: string };
  imbee: { authToken: string; corporateKey: string };
  mcg: { clientId: string; clientSecret: string; providerId: number };
}

const CREDENTIALS = `appId name easemob { orgName appName clientId clientSecret } gobelieve { appId appSecret }
  imbee { authToken corporateKey } mcg { clientId clientSecret providerId }`;

/** Creates an app through the operator GraphQL API and returns it with an app token. */
export async function provisionApp(server: TestServer, name = `app${crypto.randomBytes(3).toString('hex')}`, openRegistration = false) {
  const { createApp } = await server.ok(CreateAppDocument, { input: { name, openRegistration } }, OPERATOR_TOKEN);
  const app = createApp as ProvisionedApp; // every secret is present at creation
  return { ...app, token: await appToken(server, app) };
}

export { CREDENTIALS };

export async function appToken(server: TestServer, app: ProvisionedApp, expiresIn?: number): Promise<string> {
  const input = { clientId: app.easemob.clientId, clientSecret: app.easemob.clientSecret, expiresIn };
  return (await server.ok(CreateAppTokenDocument, { input })).createAppToken.accessToken;
}

export async function registerUser(server: TestServer, token: string, username: string, password = 'secret-pass') {
  const { registerUser: user } = await server.ok(RegisterUserDocument, { input: { username, password } }, token);
  return user;
}

export async function userToken(server: TestServer, appId: string, username: string, password = 'secret-pass', expiresIn?: number) {
  return (await server.ok(CreateUserTokenDocument, { input: { appId, username, password, expiresIn } })).createUserToken.accessToken;
}

/**
 * Opens a raw graphql-transport-ws socket and sends connection_init. Resolves with how it ended:
 * 'ack' when accepted, or the close code when refused.
 */
export function wsHandshake(wsUrl: string, payload?: Record<string, unknown>): Promise<{ ack: boolean; code?: number; socket: WebSocket }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
    const timer = setTimeout(() => reject(new Error('no answer to connection_init')), 10_000);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
    socket.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { type: string };
      if (msg.type === 'connection_ack') {
        clearTimeout(timer);
        resolve({ ack: true, socket });
      }
    });
    socket.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ack: false, code, socket });
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

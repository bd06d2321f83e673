import crypto from 'node:crypto';
import path from 'node:path';
import pino from 'pino';
import WebSocket from 'ws';
import { createApplication, type Application } from '../../src/app/index';
import { loadConfig } from '../../src/app/config';

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
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResponse<T>>;
  /** Like gql but fails the test on any GraphQL error; returns data. */
  ok<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<T>;
  close(): Promise<void>;
}

export function testDatabaseName(): string {
  const file = path
    .basename(expect.getState().testPath ?? 'test')
    .replace(/\.test\.ts$/, '')
    .replace(/[^A-Za-z0-9]/g, '_');
  return `t_${file.slice(0, 40)}_${crypto.randomBytes(4).toString('hex')}`;
}

export async function startTestServer(env: Record<string, string> = {}, mongodbUri = process.env.TEST_MONGODB_URI): Promise<TestServer> {
  if (!mongodbUri) throw new Error('TEST_MONGODB_URI is not set: run the tests through jest (global setup)');
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    MONGODB_URI: mongodbUri,
    MONGODB_DB_NAME: testDatabaseName(),
    OPERATOR_TOKEN,
    ...env,
  });
  const app = await createApplication(config, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }));
  const url = await app.listen();
  const gql: TestServer['gql'] = async (query, variables, token) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, body: (await res.json()) as GqlResponse['body'], headers: res.headers } as never;
  };
  return {
    app,
    url,
    wsUrl: url.replace(/^http/, 'ws') + '/graphql',
    gql,
    async ok(query, variables, token) {
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
  const { createApp } = await server.ok<{ createApp: ProvisionedApp }>(
    `mutation($input: CreateAppInput!) { createApp(input: $input) { ${CREDENTIALS} } }`,
    { input: { name, openRegistration } },
    OPERATOR_TOKEN,
  );
  const token = await appToken(server, createApp);
  return { ...createApp, token };
}

export { CREDENTIALS };

export async function appToken(server: TestServer, app: ProvisionedApp, expiresIn?: number): Promise<string> {
  const { createAppToken } = await server.ok(`mutation($input: AppTokenInput!) { createAppToken(input: $input) { accessToken } }`, {
    input: { clientId: app.easemob.clientId, clientSecret: app.easemob.clientSecret, expiresIn },
  });
  return createAppToken.accessToken as string;
}

export async function registerUser(server: TestServer, token: string, username: string, password = 'secret-pass') {
  const { registerUser: user } = await server.ok(
    `mutation($input: RegisterUserInput!) { registerUser(input: $input) { id username } }`,
    { input: { username, password } },
    token,
  );
  return user as { id: string; username: string };
}

export async function userToken(server: TestServer, appId: string, username: string, password = 'secret-pass', expiresIn?: number) {
  const { createUserToken } = await server.ok(`mutation($input: UserTokenInput!) { createUserToken(input: $input) { accessToken } }`, {
    input: { appId, username, password, expiresIn },
  });
  return createUserToken.accessToken as string;
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

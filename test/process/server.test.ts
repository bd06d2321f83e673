import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { freePort } from '../../src/db/probe';
import { testDatabaseName } from '../helpers/harness';
import { runNode, runToEnd } from '../helpers/process';

// These run the built server and CLI (dist/, made by `npm run build` before jest) as real processes.
const MAIN = 'dist/src/main.js';
const CLI = 'dist/src/cli/main.js';
const uri = () => process.env.TEST_MONGODB_URI!;

describe('npm start (the built server as a process)', () => {
  it('creates and prints the demo app on an empty database, serves it, and shuts down cleanly on SIGTERM', async () => {
    const port = await freePort();
    const dbName = testDatabaseName();
    const env = {
      MONGODB_URI: uri(),
      MONGODB_DB_NAME: dbName,
      PORT: String(port),
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      IMBEE_PUBLIC_URL: 'https://chat.example.com',
    };
    const server = runNode(MAIN, [], env);
    await server.waitFor(/imfacade listening/);
    const printed = server.stdout();
    const json = printed.slice(printed.indexOf('{'), printed.lastIndexOf('}') + 1);
    const demo = JSON.parse(json);
    expect(demo).toMatchObject({ name: 'demo', easemob: { appName: 'demo', clientSecret: expect.any(String) } });

    const gql = async (query: string, variables: object, token?: string) =>
      (await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      }).then((r) => r.json())) as any;
    const tok = await gql(`mutation($i: AppTokenInput!) { createAppToken(input: $i) { accessToken } }`, {
      i: { clientId: demo.easemob.clientId, clientSecret: demo.easemob.clientSecret },
    });
    const token = tok.data.createAppToken.accessToken as string;
    // the demo app has open registration: a newcomer can sign up without a token
    const signup = await gql(`mutation($a: ID) { registerUser(appId: $a, input: { username: "newcomer", password: "pw" }) { username } }`, {
      a: demo.appId,
    });
    expect(signup).toEqual({ data: { registerUser: { username: 'newcomer' } } });

    // an open socket is closed by the shutdown, not waited for
    const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
    await new Promise((r) => socket.on('open', r));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    await new Promise((r) => socket.on('message', r));
    const socketClosed = new Promise<number>((r) => socket.on('close', (code) => r(code)));

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(await socketClosed).toBe(1001);
    expect(server.stderr()).toMatch(/shutdown complete/);
    expect(server.stderr()).toMatch(/"reqId"/);

    // second start on the same database: not empty, so nothing printed
    const again = runNode(MAIN, [], { ...env, PORT: String(await freePort()) });
    await again.waitFor(/imfacade listening/);
    expect(again.stdout()).toBe('');
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });

  it('keeps its embedded data in DATA_DIR across restarts, and the CLI shares the running database', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'imfacade-start-'));
    const env = { DATA_DIR: dataDir, DB_ENGINE: process.env.TEST_DB_ENGINE ?? 'auto', LOG_LEVEL: 'info' };
    try {
      const first = runNode(MAIN, [], { ...env, PORT: String(await freePort()) });
      await first.waitFor(/imfacade listening/, 60_000);
      expect(first.stdout()).toMatch(/"name": "demo"/);
      const listed = await runToEnd(CLI, ['app', 'list'], env);
      expect(listed.code).toBe(0);
      expect(JSON.parse(listed.stdout).map((a: { name: string }) => a.name)).toEqual(['demo']);
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);

      const second = runNode(MAIN, [], { ...env, PORT: String(await freePort()) });
      await second.waitFor(/imfacade listening/, 60_000);
      expect(second.stdout()).toBe('');
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses bad configuration with one readable line per variable', async () => {
    const r = await runToEnd(MAIN, [], { PORT: 'abc', LOG_LEVEL: 'loud', MONGODB_URI: 'http://x', OPERATOR_TOKEN: 'short' });
    expect(r.code).toBe(2);
    for (const name of ['PORT', 'LOG_LEVEL', 'MONGODB_URI', 'OPERATOR_TOKEN']) expect(r.stderr).toMatch(new RegExp(`- ${name}: `));
  });

  it('names the three ways to get a database when none can be had', async () => {
    const r = await runToEnd(MAIN, [], {
      DB_ENGINE: 'ferretdb',
      FERRETDB_BIN: '/nonexistent/ferretdb',
      DATA_DIR: os.tmpdir() + '/imf-none',
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/MONGODB_URI/);
    expect(r.stderr).toMatch(/mongodb-memory-server/);
    expect(r.stderr).toMatch(/npm run db:install/);
  });
});

describe('operator CLI', () => {
  const env = () => ({ MONGODB_URI: uri(), MONGODB_DB_NAME: dbName });
  let dbName: string;
  beforeAll(() => {
    dbName = testDatabaseName();
  });

  it('app create prints exactly one JSON object with every vendor block', async () => {
    const r = await runToEnd(CLI, ['app', 'create', '--name', 'cli-app'], env());
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const app = JSON.parse(r.stdout);
    expect(Object.keys(app)).toEqual(['appId', 'name', 'easemob', 'gobelieve', 'imbee', 'mcg']);
    expect(Object.keys(app.easemob).sort()).toEqual(['appName', 'clientId', 'clientSecret', 'orgName']);
    expect(Object.keys(app.gobelieve).sort()).toEqual(['appId', 'appSecret']);
    expect(Object.keys(app.imbee).sort()).toEqual(['authToken', 'corporateKey']);
    expect(Object.keys(app.mcg).sort()).toEqual(['clientId', 'clientSecret', 'providerId']);
    expect(Number.isInteger(app.gobelieve.appId) && Number.isInteger(app.mcg.providerId)).toBe(true);

    const list = await runToEnd(CLI, ['app', 'list'], env());
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ id: app.appId, name: 'cli-app' })]);
    expect(JSON.parse(list.stdout)[0].easemob).toEqual({
      orgName: app.easemob.orgName,
      appName: app.easemob.appName,
      clientId: app.easemob.clientId,
    });
    expect(list.stdout).not.toContain(app.easemob.clientSecret);

    const rotated = await runToEnd(CLI, ['app', 'rotate-secret', '--app', app.appId, '--vendor', 'gobelieve'], env());
    expect(rotated.code).toBe(0);
    const creds = JSON.parse(rotated.stdout);
    expect(creds.gobelieve.appSecret).toEqual(expect.any(String));
    expect(creds.gobelieve.appSecret).not.toBe(app.gobelieve.appSecret);
    expect(creds.easemob.clientSecret).toBeNull();
  });

  it('reports errors as JSON on stderr with a non-zero exit code', async () => {
    const dup = await runToEnd(CLI, ['app', 'create', '--name', 'CLI-APP'], env());
    expect(dup.code).toBe(1);
    expect(JSON.parse(dup.stderr.split('\n')[0]!)).toMatchObject({ error: 'CONFLICT' });
    const usage = await runToEnd(CLI, ['app', 'create'], env());
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stderr.split('\n')[0]!)).toEqual({ error: 'USAGE', message: '--name is required' });
    const vendor = await runToEnd(CLI, ['app', 'rotate-secret', '--app', 'x', '--vendor', 'aol'], env());
    expect(vendor.code).toBe(2);
    const missing = await runToEnd(CLI, ['app', 'rotate-secret', '--app', '0123456789abcdef01234567'], env());
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stderr.split('\n')[0]!)).toMatchObject({ error: 'NOT_FOUND' });
  });
});

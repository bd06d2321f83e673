import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { provisionApp, startTestServer, type TestServer } from '../../helpers/harness';
import { easemobClient } from './helpers';

const run = promisify(execFile);

// The vendor's own Node SDK and its own mocha tests (easemob-sdk@0.1.1, test/*.test.js), installed
// by name and version at test time (never committed) and run unmodified: only its credentials file
// and its base URL (a constant the SDK has no setter for) point it here.
const SDK = 'easemob-sdk@0.1.1';
const TOOLS = ['mocha@10.8.2', 'should@13.2.3', 'async@1.5.2'];
const FILES = ['user', 'friend', 'message', 'group', 'chatroom', 'file', 'log'];

interface MochaReport {
  stats: { tests: number; passes: number; failures: number; pending: number };
  failures: { fullTitle: string; err: { message?: string } }[];
}

describe(`the vendor's own SDK tests (${SDK}) against the facade`, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imfacade-easemob-sdk-'));
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ EASEMOB_RATE_LIMIT: '0' });
    await run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', dir, SDK, ...TOOLS], { timeout: 240_000 });
  }, 300_000);
  afterAll(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('passes all seven of its test files', async () => {
    const app = await provisionApp(server);
    // The vendor's test org had history from earlier runs, which the user test's "offline msg status"
    // reads (the oldest message's recipient, who must be free to register again): give it one.
    const em = await easemobClient(server, { app });
    for (const username of ['seed_from', 'seed_to'])
      await em.call('POST', '/users', { body: { username, password: 'p' }, contentType: 'application/json' });
    const seeded = await em.call('POST', '/messages/users', {
      body: { from: 'seed_from', to: ['seed_to'], type: 'txt', body: { msg: 'history' } },
      contentType: 'application/json',
    });
    expect(seeded.status).toBe(200);
    expect((await em.call('DELETE', '/users/seed_to')).status).toBe(200);
    const pkg = path.join(dir, 'node_modules', 'easemob-sdk');
    const { orgName, appName, clientId, clientSecret } = app.easemob;
    fs.writeFileSync(
      path.join(pkg, 'test', 'config.js'),
      `module.exports = ${JSON.stringify({ client_id: clientId, client_secret: clientSecret, org_name: orgName, app_name: appName })};\n`,
    );
    const base = path.join(dir, 'base-url.js');
    fs.writeFileSync(
      base,
      `require(${JSON.stringify(path.join(pkg, 'lib', 'const.js'))}).BASE_URL = ${JSON.stringify(`${server.url}/easemob/`)};\n`,
    );
    const report = path.join(dir, 'report.json');
    const mocha = path.join(dir, 'node_modules', 'mocha', 'bin', 'mocha.js');
    const files = FILES.map((f) => path.join(pkg, 'test', `${f}.test.js`));
    await run(
      process.execPath,
      [mocha, '--require', base, '-t', '30000', '--reporter', 'json', '--reporter-option', `output=${report}`, ...files],
      {
        cwd: pkg,
        timeout: 600_000,
      },
    ).catch(() => undefined); // failures are read from the report
    const result = JSON.parse(fs.readFileSync(report, 'utf8')) as MochaReport;
    expect(result.failures.map((f) => `${f.fullTitle}: ${f.err.message ?? ''}`)).toEqual([]);
    // 59 tests (`it`) in the seven files; a failing before-hook would skip some, so the count is pinned too.
    expect(result.stats).toMatchObject({ tests: 59, passes: 59, failures: 0 });
  }, 660_000);
});

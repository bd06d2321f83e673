import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/app/config';
import { withTable } from '../../scripts/config-doc';

describe('configuration', () => {
  it("README's table is the one the sections generate (npm run config:doc)", () => {
    const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
    expect(withTable(readme)).toBe(readme);
  });

  it('reads each section, with defaults, and an adapter section per adapter', () => {
    const config = loadConfig({
      EASEMOB_PORT: '5080',
      ANONYMOUS_RATE_LIMIT: '7',
      NODE_ENV: 'production',
      IMBEE_PUBLIC_URL: 'https://chat.example.com',
    });
    expect(config.http).toMatchObject({ host: '127.0.0.1', port: 4000, bodyLimitBytes: 1_048_576, trustProxy: false });
    expect(config.core).toMatchObject({ env: 'production', introspection: false });
    expect(config.auth.anonymousPerSecond).toBe(7);
    expect(config.easemob).toMatchObject({ orgName: 'imfacade', port: 5080, ratePerSecond: 100, msync: { maxFrameBytes: 65_536 } });
  });

  it('reports every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', EASEMOB_RATE_LIMIT: '-1', MONGODB_URI: 'postgres://x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'EASEMOB_RATE_LIMIT', 'MONGODB_URI']) expect(problems).toContain(name);
  });

  it('refuses to start in production without IMBEE_PUBLIC_URL (links would take their base from the Host header)', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/IMBEE_PUBLIC_URL/);
    expect(() => loadConfig({ NODE_ENV: 'development' })).not.toThrow();
  });
});

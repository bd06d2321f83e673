import { contract } from '../../../src/vendors/mcg/contract';
import { provisionApp, startTestServer, type TestServer } from '../../helpers/harness';
import { BODIES } from '../malformed';

// Malformed input over every MCG endpoint, as JSON and as forms: always a 4xx OAuth-style error, never a 5xx.
describe('mcg adapter: malformed input over every endpoint', () => {
  let server: TestServer;
  let bearer: string;
  let basic: string;
  beforeAll(async () => {
    server = await startTestServer({ MCG_RATE_LIMIT: '0', ANONYMOUS_RATE_LIMIT: '0' });
    const app = await provisionApp(server);
    basic = `Basic ${Buffer.from(`${app.mcg.clientId}:${app.mcg.clientSecret}`).toString('base64')}`;
    const grant = await fetch(`${server.url}/mcg/mcg/v1/token`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    bearer = `Bearer ${((await grant.json()) as any).access_token}`;
  }, 60_000);
  afterAll(() => server.close());

  it.each(Object.entries(contract))(
    '%s never answers 5xx',
    async (_name, spec) => {
      const failures: string[] = [];
      const path = spec.path.replace(':id', 'zz');
      const auth = spec.access === 'client' ? basic : bearer;
      const bodies = [
        ...BODIES.map((b) => ['application/json', b]),
        ...BODIES.slice(0, 10).map((b) => [
          'application/x-www-form-urlencoded',
          `token=${encodeURIComponent(b)}&grant_type=${encodeURIComponent(b)}`,
        ]),
        ['text/xml', '<a/>'],
        ['application/x-www-form-urlencoded', '%zz=%%&token'],
      ];
      for (const [type, body] of bodies) {
        const res = await fetch(`${server.url}/mcg${path}`, {
          method: spec.method,
          headers: { authorization: auth, 'content-type': type! },
          body: spec.method === 'GET' ? undefined : body,
        });
        const text = await res.text();
        let json: any;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        if (res.status >= 500 || (res.status >= 400 && typeof json?.error !== 'string') || /\n\s+at /.test(text))
          failures.push(`${type} ${body!.slice(0, 40)}: ${res.status} ${text.slice(0, 200)}`);
      }
      expect(failures).toEqual([]);
    },
    120_000,
  );
});

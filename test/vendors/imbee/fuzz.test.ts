import { contract } from '../../../src/vendors/imbee/contract';
import { startTestServer, type TestServer } from '../../helpers/harness';
import { BODIES } from '../malformed';
import { imbeeClient } from './helpers';

// Malformed input over every Imbee endpoint: always a 4xx in the {time, code, message, body} envelope, never a 5xx.
describe('imbee adapter: malformed input over every endpoint', () => {
  let server: TestServer;
  let im: Awaited<ReturnType<typeof imbeeClient>>;
  let apikey: string;
  beforeAll(async () => {
    server = await startTestServer({ IMBEE_RATE_LIMIT: '0', ANONYMOUS_RATE_LIMIT: '0' });
    im = await imbeeClient(server);
    apikey = (await im.call('/third_parties/user/new', { uniqueIdSha: 'fz_user' })).body.body.apikey;
  }, 60_000);
  afterAll(() => server.close());

  it.each(Object.entries(contract))(
    '%s never answers 5xx',
    async (_name, spec) => {
      const failures: string[] = [];
      const key = spec.access === 'apikey' ? apikey : undefined;
      for (const [i, raw] of BODIES.entries()) {
        const res = await im.call(spec.path, undefined, { raw, key });
        const b = res.body;
        if (
          res.status >= 500 ||
          (res.status >= 400 && (b?.code === 0 || typeof b?.message !== 'string' || !('time' in b))) ||
          /\n\s+at /.test(JSON.stringify(b))
        )
          failures.push(`body #${i}: ${res.status} ${JSON.stringify(b).slice(0, 200)}`);
      }
      expect(failures).toEqual([]);
    },
    120_000,
  );
});

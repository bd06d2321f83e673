import { contract } from '../../../src/vendors/gobelieve/contract';
import { startTestServer, type TestServer } from '../../helpers/harness';
import { BODIES, HOSTILE_VALUES } from '../malformed';
import { gobelieveClient } from './helpers';

// Malformed input over every GoBelieve endpoint: always a 4xx in the meta envelope, never a 5xx.
describe('gobelieve adapter: malformed input over every endpoint', () => {
  let server: TestServer;
  let gb: Awaited<ReturnType<typeof gobelieveClient>>;
  let bearer: string;
  beforeAll(async () => {
    server = await startTestServer({ GOBELIEVE_RATE_LIMIT: '0', ANONYMOUS_RATE_LIMIT: '0' });
    gb = await gobelieveClient(server);
    bearer = `Bearer ${(await gb.call('POST', '/auth/grant', { uid: 1 })).body.data.token}`;
    await gb.call('POST', '/groups', { master: 1, name: 'fz', members: [2] });
  }, 60_000);
  afterAll(() => server.close());

  it.each(Object.entries(contract))(
    '%s never answers 5xx',
    async (_name, spec) => {
      const failures: string[] = [];
      const auth = spec.access === 'client' ? bearer : spec.access === 'customer-login' ? null : undefined;
      const check = async (label: string, path: string, body?: string) => {
        const res = await gb.call(spec.method, path, undefined, { raw: body, auth });
        const shapeOk = res.status < 400 || (res.body?.meta && typeof res.body.meta.code === 'number');
        if (res.status >= 500 || !shapeOk || /\n\s+at /.test(JSON.stringify(res.body ?? '')))
          failures.push(`${label}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      };
      const pathOf = (v: string) => spec.path.replace(/:(\w+)/g, (_, n: string) => encodeURIComponent(v || (n === 'gid' ? '1' : '2')));
      const withBody = spec.method !== 'GET';
      for (const [i, body] of BODIES.entries()) await check(`body #${i}`, pathOf(''), withBody ? body : undefined);
      if (spec.path.includes(':'))
        for (const value of HOSTILE_VALUES) await check(`path ${value.slice(0, 12)}`, pathOf(value), withBody ? '{}' : undefined);
      for (const q of ['store_id=abc', 'store_id=-5', 'customer_id=', `customer_id=${'c'.repeat(4_000)}`, 'store_id[]=1&store_id[]=2'])
        await check(`query ${q.slice(0, 16)}`, `${pathOf('')}?${q}`, withBody ? '{}' : undefined);
      expect(failures).toEqual([]);
    },
    120_000,
  );
});

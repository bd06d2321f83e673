import { contract } from '../../../src/vendors/wildfire/contract';
import { provisionApp, startTestServer, type TestServer } from '../../helpers/harness';
import { OUTBOX_TEST_ENV } from '../../outbox/helpers';
import { BODIES } from '../malformed';
import { wildfireClient } from './helpers';

// Malformed input over every robot endpoint: always HTTP 200 with a non-zero Wildfire code, never a 5xx.
describe('wildfire adapter: malformed input over every endpoint', () => {
  let server: TestServer;
  let call: ReturnType<typeof wildfireClient>;
  beforeAll(async () => {
    server = await startTestServer({ ...OUTBOX_TEST_ENV, WILDFIRE_RATE_LIMIT: '0', ANONYMOUS_RATE_LIMIT: '0' });
    const app = await provisionApp(server);
    await server.ok(`mutation { createRobot(input: { username: "fzbot", secret: "fuzz-secret-0123456789" }) { rid } }`, {}, app.token);
    call = wildfireClient(`${server.url}/wildfire`, 'fzbot', 'fuzz-secret-0123456789');
  }, 60_000);
  afterAll(() => server.close());

  it.each(Object.entries(contract))(
    '%s never answers 5xx',
    async (_name, spec) => {
      const failures: string[] = [];
      for (const [i, body] of BODIES.entries()) {
        const res = await call(spec.path, undefined, { raw: body });
        if (res.status !== 200 || typeof res.body?.code !== 'number' || /\n\s+at /.test(JSON.stringify(res.body)))
          failures.push(`body #${i}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      }
      expect(failures).toEqual([]);
    },
    120_000,
  );
});

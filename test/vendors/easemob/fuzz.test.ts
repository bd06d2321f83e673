import { contract } from '../../../src/vendors/easemob/contract';
import { groupContract } from '../../../src/vendors/easemob/groups-contract';
import { roomContract } from '../../../src/vendors/easemob/rooms-contract';
import { startTestServer, type TestServer } from '../../helpers/harness';
import { easemobClient, type EasemobClient } from './helpers';

import { BODIES, HOSTILE_VALUES } from '../malformed';

// Malformed input over every endpoint of the contract: always a 4xx in the Usergrid error shape, never a 5xx.
describe('easemob adapter: malformed input over every endpoint', () => {
  let server: TestServer;
  let em: EasemobClient;
  let gid = '1';
  beforeAll(async () => {
    server = await startTestServer({ EASEMOB_RATE_LIMIT: '0', ANONYMOUS_RATE_LIMIT: '0' });
    em = await easemobClient(server);
    await em.call('POST', '/users', {
      body: [
        { username: 'fz1', password: 'pw' },
        { username: 'fz2', password: 'pw' },
      ],
    });
    const group = await em.call('POST', '/chatgroups', {
      body: { groupname: 'fz', owner: 'fz1', members: ['fz2'] },
      contentType: 'application/json',
    });
    gid = group.body.data.groupid;
  }, 60_000);
  afterAll(() => server.close());

  const pathOf = (p: string, values: Record<string, string>) =>
    p.replace('/:org_name/:app_name', '').replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(values[name] ?? 'fz1'));

  it.each([
    ...Object.entries(contract),
    ...Object.entries(groupContract).map(([k, v]) => [`chatgroups.${k}`, v] as const),
    ...Object.entries(roomContract).map(([k, v]) => [`chatrooms.${k}`, v] as const),
  ])(
    '%s never answers 5xx',
    async (_name, spec) => {
      const failures: string[] = [];
      const check = async (label: string, path: string, body?: string) => {
        const res = await em.call(spec.method, path, { raw: body, contentType: 'application/json' });
        const shapeOk =
          res.status < 400 || ['duration', 'error', 'error_description', 'exception', 'timestamp'].every((k) => k in (res.body ?? {}));
        if (res.status >= 500 || !shapeOk || /\n\s+at /.test(JSON.stringify(res.body ?? '')))
          failures.push(`${label}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      };
      const base = pathOf(spec.path, {
        username: 'fz1',
        owner_username: 'fz1',
        other_username: 'fz2',
        msg_id: '123',
        group_id: gid,
        group_ids: gid,
        members: 'fz1,fz2',
      });
      const withBody = spec.method !== 'GET';
      for (const [i, body] of BODIES.entries()) await check(`body #${i}`, base, withBody ? body : undefined);
      // Hostile path parameters and queries.
      for (const value of HOSTILE_VALUES) {
        await check(
          `path ${value.slice(0, 12)}`,
          pathOf(spec.path, {
            username: value,
            owner_username: value,
            other_username: value,
            msg_id: value,
            group_id: value,
            group_ids: value,
            members: value,
          }),
        );
      }
      for (const q of [
        'limit=abc',
        'limit=-5',
        'limit=99999999999',
        'limit[]=1&limit[]=2',
        `cursor=${'c'.repeat(4_000)}`,
        'limit=1&limit=2',
      ]) {
        await check(`query ${q.slice(0, 16)}`, `${base}?${q}`, withBody ? '{}' : undefined);
      }
      expect(failures).toEqual([]);
    },
    120_000,
  );
});

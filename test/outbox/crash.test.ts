import { freePort } from '../../src/db/probe';
import { OPERATOR_TOKEN, testDatabaseName } from '../helpers/harness';
import { runNode, type Spawned } from '../helpers/process';
import { startReceiver } from '../helpers/receiver';
import { OUTBOX_TEST_ENV, eventually } from './helpers';

/** GraphQL against a server process. */
const client = (port: number) => async (query: string, variables: object, token?: string) => {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
};

describe('outbox across a crash', () => {
  const started: Spawned[] = [];
  afterAll(() => started.forEach((s) => s.child.exitCode === null && s.child.kill('SIGKILL')));

  it('a server killed (SIGKILL) while a receiver holds a request: after a restart every delivery arrives, repeats only with the same delivery id', async () => {
    const receiver = await startReceiver((_r, i) => (i === 0 ? 'hold' : { status: 200 }));
    const env = {
      ...OUTBOX_TEST_ENV,
      OUTBOX_TIMEOUT_MS: '1500',
      MONGODB_URI: process.env.TEST_MONGODB_URI!,
      MONGODB_DB_NAME: testDatabaseName(),
      OPERATOR_TOKEN,
      DEMO_APP: 'false',
      LOG_LEVEL: 'info',
    };
    const start = async () => {
      const port = await freePort();
      const server = runNode('dist/src/main.js', [], { ...env, PORT: String(port) });
      started.push(server);
      await server.waitFor(/imfacade listening/, 30_000);
      return { server, gql: client(port) };
    };

    const first = await start();
    const created = await first.gql(
      `mutation { createApp(input: { name: "crashy" }) { appId easemob { clientId clientSecret } } }`,
      {},
      OPERATOR_TOKEN,
    );
    const { clientId, clientSecret } = created.createApp.easemob;
    const token = (
      await first.gql(`mutation($i: AppTokenInput!) { createAppToken(input: $i) { accessToken } }`, { i: { clientId, clientSecret } })
    ).createAppToken.accessToken as string;
    await first.gql(`mutation($u: String!) { setGateway(input: { channel: "SMS", url: $u }) { id } }`, { u: `${receiver.url}/sms` }, token);
    const destinations = ['+100', '+101', '+102', '+103', '+104'];
    const ids = new Map<string, string>();
    for (const destination of destinations) {
      const d = await first.gql(
        `mutation($d: String!) { sendOutboundMessage(input: { channel: "SMS", destination: $d, payload: "{}" }) { id } }`,
        { d: destination },
        token,
      );
      ids.set(d.sendOutboundMessage.id, destination);
    }
    await receiver.waitFor(1);
    first.server.child.kill('SIGKILL');
    await first.server.exited;
    const held = String(receiver.received[0]!.headers['idempotency-key']);

    const second = await start();
    // the held attempt's lease (2 × 1.5 s + 2 s) runs out, then the restarted worker tries it again
    await eventually(
      async () =>
        new Set(receiver.received.map((r) => String(r.headers['idempotency-key']))).size === 5 &&
        receiver.received.filter((r) => String(r.headers['idempotency-key']) === held).length >= 2
          ? true
          : undefined,
      30_000,
      'every delivery, and the held one again',
    );

    for (const r of receiver.received) {
      const id = String(r.headers['idempotency-key']);
      expect(JSON.parse(r.body).destination).toBe(ids.get(id)); // a repeat carries its own delivery's id
    }
    const { deliveries } = await second.gql(`{ deliveries(first: 10) { nodes { id state } } }`, {}, token);
    await eventually(async () => {
      const now = (await second.gql(`{ deliveries(first: 10) { nodes { id state } } }`, {}, token)).deliveries.nodes as { state: string }[];
      return now.every((d) => d.state === 'DELIVERED') ? true : undefined;
    });
    expect(deliveries.nodes).toHaveLength(5);
    second.server.child.kill('SIGTERM');
    expect(await second.server.exited).toBe(0);
    await receiver.close();
  });
});

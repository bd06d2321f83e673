import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/process';
import { eventually, OUTBOX_TEST_ENV } from '../outbox/helpers';
import { listening, subscribe } from '../helpers/live';
import { errorCode, OPERATOR_TOKEN, registerUser, startTestServer, userToken, type TestServer } from '../helpers/harness';
import { startReceiver } from '../helpers/receiver';
import { easemobClient, type EasemobClient } from '../vendors/easemob/helpers';
import { scrape, sumOf } from './helpers';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

describe('GET /metrics after real traffic', () => {
  let server: TestServer;
  let em: EasemobClient;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const read = () => scrape(`${server.url}/metrics`, METRICS_TOKEN);

  beforeAll(async () => {
    server = await startTestServer({ ...OUTBOX_TEST_ENV, METRICS_TOKEN, GRAPHQL_MAX_DEPTH: '6' });
    receiver = await startReceiver();
    em = await easemobClient(server);
  });
  afterAll(async () => {
    await server.close();
    await receiver.close();
  });

  it('is refused without its token, and the operator token is no substitute', async () => {
    for (const auth of [undefined, `Bearer ${OPERATOR_TOKEN}`, `Bearer ${METRICS_TOKEN}x`]) {
      const res = await fetch(`${server.url}/metrics`, { headers: auth ? { authorization: auth } : {} });
      expect(res.status).toBe(401);
      expect(await res.text()).not.toContain('imfacade_');
    }
  });

  it('moves the RED, live, database, outbox and limit series as traffic flows', async () => {
    const before = await read();
    const app = em.app;
    await server.ok(
      `mutation($a: ID!, $i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(appId: $a, input: $i) { id } }`,
      { a: app.appId, i: { url: `${receiver.url}/hook`, eventTypes: ['message.created'] } },
      OPERATOR_TOKEN,
    );
    await registerUser(server, app.token, 'ann');
    await registerUser(server, app.token, 'bob');
    const [ann, bob] = [await userToken(server, app.appId, 'ann'), await userToken(server, app.appId, 'bob')];
    const live = await listening(server, () => subscribe(server.wsUrl, bob, `subscription { messageAdded { text } }`));
    const sent = await server.ok(
      `mutation Greet($i: SendMessageInput!) { sendMessage(input: $i) { id } }`,
      { i: { to: { username: 'bob' }, type: 'TEXT', text: 'hello metrics' } },
      ann,
    );
    expect(sent).toBeTruthy();
    await live.waitFor(1);
    // An adapter route, by its template: the raw path (with the user's name) never becomes a label.
    expect((await em.call('GET', '/users/ann')).status).toBe(200);
    expect((await em.call('GET', '/users/nobody-here')).status).toBe(404);
    // Refused by the depth limit.
    const deep = await server.gql(
      `query Deep { me { user { id } conversations { nodes { members { nodes { user { id } } } } } } }`,
      {},
      ann,
    );
    expect(errorCode(deep)).toBe('QUERY_TOO_COMPLEX');
    await receiver.waitFor(1);

    const after = await eventually(async () => {
      const m = await read();
      return sumOf(m, 'imfacade_outbox_attempts_total', { kind: 'webhook', outcome: 'delivered' }) >= 1 ? m : undefined;
    });
    const moved = (name: string, labels: Record<string, string> = {}) => sumOf(after, name, labels) - sumOf(before, name, labels);
    expect(moved('imfacade_requests_total', { surface: 'graphql', operation: 'Greet', code: 'OK' })).toBe(1);
    expect(moved('imfacade_request_duration_seconds_count', { surface: 'graphql', operation: 'Greet' })).toBe(1);
    // Refused before it ran, under a name never seen running: pooled, its code kept.
    expect(moved('imfacade_requests_total', { surface: 'graphql', operation: 'other', code: 'QUERY_TOO_COMPLEX' })).toBe(1);
    expect(after).not.toContain('operation="Deep"');
    expect(moved('imfacade_requests_total', { surface: 'graphql-ws', code: 'OK' })).toBeGreaterThanOrEqual(1);
    expect(
      moved('imfacade_requests_total', { surface: 'easemob', operation: 'GET /easemob/:org_name/:app_name/users/:username', code: '200' }),
    ).toBe(1);
    expect(
      moved('imfacade_requests_total', { surface: 'easemob', operation: 'GET /easemob/:org_name/:app_name/users/:username', code: '404' }),
    ).toBe(1);
    expect(after).not.toContain('nobody-here');
    expect(moved('imfacade_limit_refusals_total', { limit: 'depth' })).toBe(1);
    expect(moved('imfacade_events_published_total', { type: 'message.added' })).toBe(1);
    expect(moved('imfacade_live_frames_total')).toBeGreaterThanOrEqual(2);
    expect(moved('imfacade_live_bytes_total')).toBeGreaterThan(0);
    expect(moved('imfacade_fanout_latency_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(moved('imfacade_db_operations_total', { collection: 'messages', command: 'insert' })).toBeGreaterThanOrEqual(1);
    expect(moved('imfacade_db_operation_duration_seconds_count', { command: 'insert' })).toBeGreaterThanOrEqual(1);
    expect(moved('imfacade_outbox_attempts_total', { kind: 'webhook', outcome: 'delivered' })).toBe(1);
    expect(sumOf(after, 'imfacade_live_sockets')).toBeGreaterThanOrEqual(1);
    expect(sumOf(after, 'imfacade_live_subscriptions')).toBeGreaterThanOrEqual(1);
    expect(after).toMatch(/^imfacade_outbox_deliveries\{kind="webhook",state="dead"\} 0$/m);
    expect(after).toMatch(/^imfacade_process_cpu_seconds_total /m);
    await live.close();
  });

  it('has every series the Grafana dashboard in docs/ queries', async () => {
    const dashboard = fs.readFileSync(path.join(ROOT, 'docs/grafana/imfacade-dashboard.json'), 'utf8');
    const queried = new Set([...dashboard.matchAll(/imfacade_[a-z0-9_]+/g)].map((m) => m[0].replace(/_bucket$/, '')));
    const declared = new Set([...(await read()).matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    expect(queried.size).toBeGreaterThan(20);
    expect([...queried].filter((name) => !declared.has(name))).toEqual([]);
  });

  it('pools GraphQL operation names beyond its bound under `other`', async () => {
    const token = em.app.token;
    for (let i = 0; i < 210; i++) await server.gql(`query Probe${i} { __typename }`, {}, token);
    const m = await read();
    const names = new Set([...m.matchAll(/^imfacade_requests_total\{surface="graphql",operation="([^"]+)"/gm)].map((x) => x[1]));
    // 200 names of their own, and the pooled ones: anonymous, invalid, unadmitted, other.
    const pooled = ['anonymous', 'invalid', 'unadmitted', 'other'];
    expect([...names].filter((n) => !pooled.includes(n!)).length).toBe(200);
    expect(sumOf(m, 'imfacade_requests_total', { surface: 'graphql', operation: 'other' })).toBeGreaterThan(0);
  });
});

describe('METRICS_PORT', () => {
  it('serves /metrics on its own port without a token, and not on the main port', async () => {
    const server = await startTestServer({ METRICS_PORT: '0' });
    try {
      const port = server.app.metricsPort();
      expect(port).toBeGreaterThan(0);
      expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
      await fetch(`${server.url}/livez`);
      const text = await scrape(`http://127.0.0.1:${port}/metrics`);
      expect(sumOf(text, 'imfacade_requests_total', { surface: 'system', operation: 'GET /livez' })).toBeGreaterThanOrEqual(1);
    } finally {
      await server.close();
    }
  });
});

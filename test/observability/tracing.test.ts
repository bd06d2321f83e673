import crypto from 'node:crypto';
import { eventually, OUTBOX_TEST_ENV } from '../outbox/helpers';
import { testDatabaseName } from '../helpers/harness';
import { runNode, type Spawned } from '../helpers/process';
import { startReceiver } from '../helpers/receiver';
import { freePort } from '../../src/db/probe';
import { createLogger } from '../../src/logger';
import { inSpan, startTracing } from '../../src/observability/tracing';
import { ancestors, startOtlpReceiver, type ReceivedSpan } from './otlp-receiver';
import { openRaw } from '../helpers/raw-ws';

const SERVER = 2;
const CLIENT = 3;
const OPERATOR_TOKEN = 'trace-operator-token-0123456789abcdef';

// The built server as a real process (dist/, made before jest): the OTLP exporter loads node:http
// by dynamic import, which runs in Node but not inside ts-jest's CommonJS module registry.
describe('OpenTelemetry traces over OTLP/HTTP (the built server as a process)', () => {
  let server: Spawned;
  let base: string;
  let em: { root: string; admin: string; appId: string };
  let collector: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  const gql = async (query: string, variables: object, token: string) =>
    (await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    }).then((r) => r.json())) as any;

  beforeAll(async () => {
    collector = await startOtlpReceiver();
    receiver = await startReceiver();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = runNode('dist/src/main.js', [], {
      ...OUTBOX_TEST_ENV,
      MONGODB_URI: process.env.TEST_MONGODB_URI!,
      MONGODB_DB_NAME: testDatabaseName(),
      PORT: String(port),
      LOG_LEVEL: 'info',
      OPERATOR_TOKEN,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_SERVICE_NAME: 'imfacade-test',
    });
    await server.waitFor(/imfacade listening/);
    const printed = server.stdout();
    const demo = JSON.parse(printed.slice(printed.indexOf('{'), printed.lastIndexOf('}') + 1));
    const root = `${base}/easemob/${demo.easemob.orgName}/${demo.easemob.appName}`;
    const grant = await fetch(`${root}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: demo.easemob.clientId,
        client_secret: demo.easemob.clientSecret,
      }),
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    em = { root, admin: grant.access_token, appId: demo.appId };
    const hook = await gql(
      `mutation($a: ID!, $i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(appId: $a, input: $i) { id } }`,
      { a: em.appId, i: { url: `${receiver.url}/hook`, eventTypes: ['message.created'] } },
      OPERATOR_TOKEN,
    );
    expect(hook.errors).toBeUndefined();
    for (const u of ['alice', 'bob'])
      await fetch(`${root}/users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${em.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ username: u, password: `pw-${u}` }),
      });
  });
  afterAll(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    await receiver.close();
    await collector.close();
  });

  const traceOf = (traceId: string, has: (spans: ReceivedSpan[]) => boolean) =>
    eventually(
      async () => {
        const spans = collector.spans.filter((s) => s.traceId === traceId);
        return has(spans) ? spans : undefined;
      },
      20_000,
      `the spans of trace ${traceId}`,
    );

  it("joins the caller's trace: route, service call and insert are parent and children, and the webhook carries the trace on", async () => {
    const traceId = crypto.randomBytes(16).toString('hex');
    const callerSpan = crypto.randomBytes(8).toString('hex');
    const res = await fetch(`${em.root}/messages/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${em.admin}`, 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpan}-01` },
      body: JSON.stringify({ from: 'alice', to: ['bob'], type: 'txt', body: { msg: 'traced hello' } }),
    });
    expect(res.status).toBe(200);

    const [hook] = await receiver.waitFor(1);
    const sent = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(String(hook!.headers.traceparent));
    expect(sent?.[1]).toBe(traceId);

    const spans = await traceOf(traceId, (s) => s.some((x) => x.name.startsWith('outbox deliver')) && s.some((x) => x.kind === SERVER));
    const route = spans.find((s) => s.kind === SERVER)!;
    expect(route).toMatchObject({
      parentSpanId: callerSpan,
      name: 'POST /easemob/:org_name/:app_name/messages/users',
      service: 'imfacade-test',
    });
    expect(route.attributes['http.response.status_code']).toBe(200);
    const service = spans.find((s) => s.name === 'messages.sendToEach' || s.name === 'messages.send')!;
    expect(ancestors(spans, service)).toContainEqual(route);
    const insert = spans.find((s) => s.kind === CLIENT && s.name === 'mongodb insert messages')!;
    expect(insert).toBeDefined();
    expect(ancestors(spans, insert).map((s) => s.spanId)).toEqual(expect.arrayContaining([service.spanId, route.spanId]));
    // The receiver's parent is the delivery's own span, in the same trace.
    const delivery = spans.find((s) => s.name === 'outbox deliver WEBHOOK')!;
    expect(delivery.kind).toBe(CLIENT);
    expect(sent![2]).toBe(delivery.spanId);
    // The request's log lines carry its trace.
    expect(server.stderr()).toContain(`"trace_id":"${traceId}"`);
  });

  it('joins an operation over graphql-ws to the trace its extensions.traceparent names, down to the insert', async () => {
    const traceId = crypto.randomBytes(16).toString('hex');
    const callerSpan = crypto.randomBytes(8).toString('hex');
    const ws = await openRaw(`${base.replace(/^http/, 'ws')}/graphql`);
    await ws.init(em.admin);
    ws.send({
      id: 'send',
      type: 'subscribe',
      payload: {
        operationName: 'WsSend',
        query: `mutation WsSend { sendMessage(input: { from: { username: "alice" }, to: { username: "bob" }, type: TEXT, text: "over ws" }) { id } }`,
        extensions: { traceparent: `00-${traceId}-${callerSpan}-01` },
      },
    });
    const answer = await ws.waitFor((m) => m.id === 'send' && m.type === 'next');
    expect(answer.payload.errors).toBeUndefined();
    ws.socket.close();
    const spans = await traceOf(traceId, (s) => s.some((x) => x.kind === CLIENT && x.name === 'mongodb insert messages'));
    const root = spans.find((s) => s.kind === SERVER)!;
    expect(root).toMatchObject({ parentSpanId: callerSpan, name: 'graphql-ws mutation WsSend' });
    const insert = spans.find((s) => s.kind === CLIENT && s.name === 'mongodb insert messages')!;
    expect(ancestors(spans, insert)).toContainEqual(root);
  });

  it('names a GraphQL request after its operation, and starts a trace when the caller sent none', async () => {
    const res = await gql('query WhoAmI { app(id: $id) { name } }'.replace('$id', JSON.stringify(em.appId)), {}, OPERATOR_TOKEN);
    expect(res.errors).toBeUndefined();
    const root = await eventually(async () => collector.spans.find((s) => s.name === 'graphql query WhoAmI'), 20_000, 'the WhoAmI span');
    expect(root.kind).toBe(SERVER);
    expect(root.parentSpanId).toBeUndefined();
    expect(root.attributes['graphql.operation.name']).toBe('WhoAmI');
  });
});

describe('log lines', () => {
  it('carry the trace and span ids of the span they are written in', async () => {
    const stop = startTracing({ url: 'http://127.0.0.1:9/v1/traces', serviceName: 'log-probe', ratio: 1 });
    const lines: string[] = [];
    const log = createLogger('info', { write: (line: string) => void lines.push(line) });
    inSpan('log probe', () => log.info('inside'));
    log.info('outside');
    const [inside, outside] = lines.map((l) => JSON.parse(l));
    expect(inside.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(inside.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(outside.trace_id).toBeUndefined();
    await stop();
  });
});

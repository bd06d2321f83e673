import { listening } from '../helpers/live';
import { eventually } from '../outbox/helpers';
import { provisionApp, registerUser, sleep, startTestServer, userToken, type TestServer } from '../helpers/harness';
import { closedWithin, openRaw } from '../helpers/raw-ws';

// The graphql-transport-ws protocol as the server must speak it (graphql-ws's PROTOCOL.md): every
// message type, every close code and its timing, written against the raw socket.
const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }`;
const SUB = `subscription($c: ID) { messageAdded(conversationId: $c) { seq text } }`;

describe('graphql-transport-ws protocol', () => {
  let server: TestServer;
  let ann: string;
  let ben: string;
  let cat: string;
  let groupId: number;
  let conversationId: string;
  const send = (text: string) => server.ok(SEND, { i: { conversationId, type: 'TEXT', text } }, ben);
  const subscribe = (id: string) => ({ id, type: 'subscribe', payload: { query: SUB, variables: { c: conversationId } } });

  beforeAll(async () => {
    server = await startTestServer({ GRAPHQL_WS_INIT_TIMEOUT_MS: '400', GRAPHQL_WS_KEEPALIVE_MS: '300' });
    const app = await provisionApp(server);
    for (const u of ['ann', 'ben', 'cat']) await registerUser(server, app.token, u);
    [ann, ben, cat] = [
      await userToken(server, app.appId, 'ann'),
      await userToken(server, app.appId, 'ben'),
      await userToken(server, app.appId, 'cat'),
    ];
    const made = await server.ok(
      `mutation { createGroup(input: { name: "proto", members: [{ username: "ann" }, { username: "cat" }] }) { groupId conversation { id } } }`,
      {},
      ben,
    );
    conversationId = made.createGroup.conversation.id;
    groupId = made.createGroup.groupId;
  });
  afterAll(() => server.close());

  it('acknowledges connection_init with a bare connection_ack', async () => {
    const raw = await openRaw(server.wsUrl);
    await raw.init(ann);
    expect(raw.frames).toEqual(['{"type":"connection_ack"}']);
    raw.socket.close();
  });

  it('closes 4406 when the client does not offer graphql-transport-ws', async () => {
    const raw = await openRaw(server.wsUrl, { protocol: null });
    expect(await closedWithin(raw)).toEqual({ code: 4406, reason: 'Subprotocol not acceptable' });
  });

  it('closes 4408 when connection_init does not come in time, and not once it came', async () => {
    const silent = await openRaw(server.wsUrl);
    const started = Date.now();
    expect(await closedWithin(silent)).toEqual({ code: 4408, reason: 'Connection initialisation timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    const prompt = await openRaw(server.wsUrl);
    await prompt.init(ann);
    await sleep(700);
    expect(prompt.socket.readyState).toBe(prompt.socket.OPEN);
    prompt.socket.close();
  });

  it('closes 4429 on a second connection_init', async () => {
    const raw = await openRaw(server.wsUrl);
    await raw.init(ann);
    raw.send({ type: 'connection_init', payload: { authorization: `Bearer ${ann}` } });
    expect(await closedWithin(raw)).toEqual({ code: 4429, reason: 'Too many initialisation requests' });
  });

  it('closes 4401 on subscribe before the connection is acknowledged', async () => {
    const raw = await openRaw(server.wsUrl);
    raw.send(subscribe('1'));
    expect(await closedWithin(raw)).toEqual({ code: 4401, reason: 'Unauthorized' });
  });

  it('closes 4403 when connection_init does not authenticate', async () => {
    const raw = await openRaw(server.wsUrl);
    raw.send({ type: 'connection_init', payload: { authorization: 'Bearer nope' } });
    expect(await closedWithin(raw)).toEqual({ code: 4403, reason: 'Forbidden' });
  });

  it.each([
    ['text that is not JSON', 'not json'],
    ['a message without a type', '{"id":"1"}'],
    ['an unknown type', '{"type":"shout"}'],
    ['a type only servers send', '{"id":"1","type":"next","payload":{"data":{}}}'],
    ['a subscribe without an id', '{"type":"subscribe","payload":{"query":"{ __typename }"}}'],
    ['a subscribe whose query is not a string', '{"id":"1","type":"subscribe","payload":{"query":1}}'],
  ])('closes 4400 on %s', async (_what, text) => {
    const raw = await openRaw(server.wsUrl);
    await raw.init(ann);
    raw.send(text);
    expect((await closedWithin(raw)).code).toBe(4400);
  });

  it('answers ping with pong (echoing a payload), before and after the ack, and ignores pong', async () => {
    const raw = await openRaw(server.wsUrl);
    raw.send({ type: 'ping' });
    await raw.waitFor((m) => m.type === 'pong');
    await raw.init(ann);
    raw.send({ type: 'ping', payload: { n: 1 } });
    raw.send({ type: 'pong', payload: { ignored: true } });
    await raw.waitFor((m) => m.type === 'pong' && m.payload?.n === 1);
    await sleep(100);
    expect(raw.frames).toEqual(['{"type":"pong"}', '{"type":"connection_ack"}', '{"type":"pong","payload":{"n":1}}']);
    raw.socket.close();
  });

  it('runs a query as next then complete', async () => {
    const raw = await openRaw(server.wsUrl);
    await raw.init(ann);
    raw.send({ id: 'q', type: 'subscribe', payload: { query: '{ viewer { user { username } } }' } });
    await raw.waitFor((m) => m.type === 'complete');
    expect(raw.frames.slice(1)).toEqual([
      '{"id":"q","type":"next","payload":{"data":{"viewer":{"user":{"username":"ann"}}}}}',
      '{"id":"q","type":"complete"}',
    ]);
    raw.socket.close();
  });

  it('answers an invalid operation with one error message, after which the id is free again', async () => {
    const raw = await openRaw(server.wsUrl);
    await raw.init(ann);
    raw.send({ id: 'e', type: 'subscribe', payload: { query: '{ nope }' } });
    const error = await raw.waitFor((m) => m.type === 'error');
    expect(error).toMatchObject({ id: 'e', payload: [{ message: expect.stringContaining('nope') }] });
    raw.send({ id: 'e', type: 'subscribe', payload: { query: '{ __typename }' } });
    await raw.waitFor((m) => m.type === 'complete' && m.id === 'e');
    expect(raw.messages.filter((m) => m.type === 'complete')).toHaveLength(1);
    raw.socket.close();
  });

  it('delivers events as next frames; closes 4409 on a duplicate id while the first runs', async () => {
    const raw = await openRaw(server.wsUrl);
    await raw.init(ann);
    await listening(server, () => raw.send(subscribe('s')), 1, { sameSocket: true });
    await send('one');
    await raw.waitFor((m) => m.type === 'next' && m.payload.data.messageAdded.text === 'one');
    expect(raw.frames.at(-1)).toMatch(/^\{"id":"s","type":"next","payload":\{"data":\{"messageAdded":\{"seq":\d+,"text":"one"\}\}\}\}$/);
    raw.send(subscribe('s'));
    expect(await closedWithin(raw)).toEqual({ code: 4409, reason: 'Subscriber for s already exists' });
  });

  it("stops on the client's complete without answering it, and the id can be used again", async () => {
    const raw = await openRaw(server.wsUrl);
    await raw.init(ann);
    await listening(server, () => raw.send(subscribe('c')), 1, { sameSocket: true });
    const streams = server.app.services.events.subscriptionCount();
    raw.send({ id: 'c', type: 'complete' });
    await eventually(async () => (server.app.services.events.subscriptionCount() < streams ? true : undefined));
    await send('after complete');
    await sleep(300);
    expect(raw.messages.filter((m) => m.id === 'c')).toEqual([]);
    await listening(server, () => raw.send(subscribe('c')), 1, { sameSocket: true });
    await send('again');
    const next = await raw.waitFor((m) => m.id === 'c');
    expect(next).toMatchObject({ type: 'next', payload: { data: { messageAdded: { text: 'again' } } } });
    raw.socket.close();
  });

  it('completes a subscription from the server when its stream ends (the member leaves)', async () => {
    const raw = await openRaw(server.wsUrl);
    await raw.init(cat);
    await listening(server, () => raw.send(subscribe('l')), 1, { sameSocket: true });
    await server.ok(`mutation($g: Int!) { leaveGroup(groupId: $g) { groupId } }`, { g: groupId }, cat);
    await raw.waitFor((m) => m.type === 'complete');
    expect(raw.frames).toContain('{"id":"l","type":"complete"}');
    raw.socket.close();
  });

  it('drops a socket that does not answer WebSocket pings, and keeps one that does', async () => {
    const deaf = await openRaw(server.wsUrl, { autoPong: false });
    const live = await openRaw(server.wsUrl);
    await Promise.all([deaf.init(ann), live.init(ann)]);
    expect((await closedWithin(deaf, 3_000)).code).toBe(1006);
    expect(live.socket.readyState).toBe(live.socket.OPEN);
    live.socket.close();
  });

  it('closes every socket with 1001 when the server shuts down', async () => {
    const own = await startTestServer();
    const app = await provisionApp(own);
    const raw = await openRaw(own.wsUrl);
    await raw.init(app.token);
    const closing = own.close();
    expect(await closedWithin(raw)).toEqual({ code: 1001, reason: 'Going away' });
    await closing;
  });
});

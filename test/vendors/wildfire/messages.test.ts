import { provisionApp, registerUser, startTestServer, userToken, type TestServer } from '../../helpers/harness';
import { listening, subscribe } from '../../helpers/live';
import { OUTBOX_TEST_ENV } from '../../outbox/helpers';
import { expectCode, wildfireClient } from './helpers';

type App = Awaited<ReturnType<typeof provisionApp>>;
const HISTORY = `query($c: ID!) { messages(conversationId: $c, last: 10) { nodes { uid type text payload sender { username } } } }`;

describe('Wildfire robot messages', () => {
  let server: TestServer;
  let app: App;
  let call: ReturnType<typeof wildfireClient>;
  const secret = 'robot-secret-0123456789';

  beforeAll(async () => {
    server = await startTestServer(OUTBOX_TEST_ENV);
    app = await provisionApp(server);
    for (const u of ['alice', 'bob', 'carol', 'dave']) await registerUser(server, app.token, u);
    await server.ok(`mutation($i: CreateRobotInput!) { createRobot(input: $i) { rid } }`, { i: { username: 'robota', secret } }, app.token);
    call = wildfireClient(`${server.url}/wildfire`, 'robota', secret);
  });
  afterAll(() => server.close());

  it('sends text to a user: the answer has messageUid and timestamp, a GraphQL subscriber sees it live and Easemob counts it offline', async () => {
    const alice = await userToken(server, app.appId, 'alice');
    const live = await listening(server, () =>
      subscribe(server.wsUrl, alice, `subscription { messageAdded { uid text sender { username } } }`),
    );
    const res = await call('/robot/message/send', {
      sender: 'robota',
      conv: { type: 0, target: 'alice', line: 0 },
      payload: { type: 1, searchableContent: 'hello' },
    });
    expectCode(res, 0);
    expect(res.body).toEqual({ code: 0, msg: 'success', result: { messageUid: expect.any(Number), timestamp: expect.any(Number) } });
    expect(Math.abs(res.body.result.timestamp - Date.now())).toBeLessThan(60_000);
    const [event] = await live.waitFor(1);
    expect(event.data.messageAdded).toEqual({ uid: res.body.result.messageUid, text: 'hello', sender: { username: 'robota' } });
    await live.close();

    // dave is offline: the message waits for him, and Easemob counts it
    expectCode(
      await call('/robot/message/send', { conv: { type: 0, target: 'dave' }, payload: { type: 1, searchableContent: 'later' } }),
      0,
    );
    const count = await fetch(`${server.url}/easemob/${app.easemob.orgName}/${app.easemob.appName}/users/dave/offline_msg_count`, {
      headers: { authorization: `Bearer ${await emAppToken(server, app)}` },
    });
    expect(((await count.json()) as any).data).toEqual({ dave: 1 });
  });

  it('defaults the sender to the robot, refuses any other sender, and keeps a non-text payload whole for GraphQL', async () => {
    const payload = { type: 3, content: 'pic', remoteMediaUrl: 'https://cdn.example/p.png', mediaType: 1, extra: '{"w":3}' };
    const res = await call('/robot/message/send', { conv: { type: 0, target: 'bob' }, payload });
    expectCode(res, 0);
    const { openDirectConversation: conv } = await server.ok(
      `mutation { openDirectConversation(from: { username: "robota" }, peer: { username: "bob" }) { id } }`,
      {},
      app.token,
    );
    const { messages } = await server.ok(HISTORY, { c: conv.id }, app.token);
    const last = messages.nodes.at(-1);
    expect(last).toMatchObject({ uid: res.body.result.messageUid, type: 'CUSTOM', sender: { username: 'robota' } });
    expect(JSON.parse(last.payload)).toEqual(payload);

    expectCode(
      await call('/robot/message/send', {
        sender: 'alice',
        conv: { type: 0, target: 'bob' },
        payload: { type: 1, searchableContent: 'x' },
      }),
      251,
    );
  });

  it('answers the document codes: unknown user 253, blocked 246, not in group 9, unknown group 253, chat rooms and channels not supported, empty text 10', async () => {
    const text = { type: 1, searchableContent: 'hi' };
    expectCode(await call('/robot/message/send', { conv: { type: 0, target: 'nobody' }, payload: text }), 253);
    await server.ok(`mutation { blockUsers(owner: { username: "carol" }, users: [{ username: "robota" }]) { username } }`, {}, app.token);
    expectCode(await call('/robot/message/send', { conv: { type: 0, target: 'carol' }, payload: text }), 246);

    const { createGroup: g } = await server.ok(
      `mutation { createGroup(input: { name: "g", owner: { username: "alice" }, members: [{ username: "bob" }] }) { groupId conversation { id } } }`,
      {},
      app.token,
    );
    expectCode(await call('/robot/message/send', { conv: { type: 1, target: String(g.groupId) }, payload: text }), 9);
    expectCode(await call('/robot/message/send', { conv: { type: 1, target: '999999' }, payload: text }), 253);
    await server.ok(
      `mutation($g: Int!) { addGroupMembers(groupId: $g, members: [{ username: "robota" }]) { groupId } }`,
      { g: g.groupId },
      app.token,
    );
    const inGroup = await call('/robot/message/send', { conv: { type: 1, target: String(g.groupId), line: 0 }, payload: text });
    expectCode(inGroup, 0);
    const { messages } = await server.ok(HISTORY, { c: g.conversation.id }, app.token);
    expect(messages.nodes.at(-1)).toMatchObject({ uid: inGroup.body.result.messageUid, text: 'hi' });

    for (const type of [2, 3]) {
      const r = await call('/robot/message/send', { conv: { type, target: 'room1' }, payload: text });
      expectCode(r, 251);
      expect(r.body.msg).toMatch(/not supported/);
    }
    expectCode(await call('/robot/message/send', { conv: { type: 0, target: 'alice' }, payload: { type: 1 } }), 10);
    expectCode(await call('/robot/message/send', { conv: { type: 0, target: 'alice' } }), 251);
    expectCode(await call('/robot/message/send', { conv: { type: '0', target: 'alice' }, payload: text }), 251);
  });

  it('recalls its own message (result "success"), and replies into the conversation of a message', async () => {
    const sent = await call('/robot/message/send', { conv: { type: 0, target: 'alice' }, payload: { type: 1, searchableContent: 'oops' } });
    const recalled = await call('/robot/message/recall', { messageUid: sent.body.result.messageUid });
    expectCode(recalled, 0);
    expect(recalled.body.result).toBe('success');
    expectCode(await call('/robot/message/recall', { messageUid: 123456789 }), 253);

    const alice = await userToken(server, app.appId, 'alice');
    const { sendMessage: q } = await server.ok(
      `mutation { sendMessage(input: { to: { username: "robota" }, type: TEXT, text: "question" }) { uid conversationId } }`,
      {},
      alice,
    );
    const reply = await call('/robot/message/reply', { messageUid: q.uid, payload: { type: 1, searchableContent: 'answer' } });
    expectCode(reply, 0);
    const { messages } = await server.ok(HISTORY, { c: q.conversationId }, app.token);
    expect(messages.nodes.at(-1)).toMatchObject({ uid: reply.body.result.messageUid, text: 'answer' });
  });
});

async function emAppToken(server: TestServer, app: App): Promise<string> {
  const res = await fetch(`${server.url}/easemob/${app.easemob.orgName}/${app.easemob.appName}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: app.easemob.clientId, client_secret: app.easemob.clientSecret }),
  });
  return ((await res.json()) as any).access_token;
}

import { listening, subscribe } from '../helpers/live';
import { provisionApp, registerUser, startTestServer, userToken, type TestServer } from '../helpers/harness';
import { closedWithin, openRaw } from '../helpers/raw-ws';

// A subscriber that stops reading must not make the server hold unbounded memory: past
// GRAPHQL_WS_MAX_BUFFERED_BYTES unread it is closed (1013), the others keep receiving everything,
// and it resumes with `after` without losing a stored message.
const CAP = 65_536;
const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq cursor } }`;
const SUB = `subscription($c: ID, $a: String) { messageAdded(conversationId: $c, after: $a) { seq cursor text payload } }`;
const BIG_TEXT = 'x'.repeat(4_990);
const BIG_PAYLOAD = JSON.stringify({ pad: 'y'.repeat(16_000) });

describe('a subscriber that does not read', () => {
  let server: TestServer;
  let tokens: Record<string, string>;
  let conversationId: string;

  beforeAll(async () => {
    server = await startTestServer({ GRAPHQL_WS_MAX_BUFFERED_BYTES: String(CAP), GRAPHQL_RATE_LIMIT: '0' });
    const app = await provisionApp(server);
    tokens = {};
    for (const u of ['ann', 'ben', 'cat']) {
      await registerUser(server, app.token, u);
      tokens[u] = await userToken(server, app.appId, u);
    }
    const made = await server.ok(
      `mutation { createGroup(input: { name: "stall", members: [{ username: "ann" }, { username: "cat" }] }) { conversation { id } } }`,
      {},
      tokens.ben,
    );
    conversationId = made.createGroup.conversation.id;
  });
  afterAll(() => server.close());

  const send = (n: number, stored: boolean) =>
    server.ok(
      SEND,
      {
        i: {
          conversationId,
          type: stored ? 'TEXT' : 'NOTIFICATION',
          text: `${n}:${BIG_TEXT}`,
          payload: BIG_PAYLOAD,
          ...(stored ? {} : { persist: false }),
        },
      },
      tokens.ben,
    );

  it('is closed with 1013 while memory stays bounded and the others get everything; it resumes with after', async () => {
    const stalled = await openRaw(server.wsUrl);
    await stalled.init(tokens.ann!);
    await listening(
      server,
      () => stalled.send({ id: 's', type: 'subscribe', payload: { query: SUB, variables: { c: conversationId } } }),
      1,
      {
        sameSocket: true,
      },
    );
    const healthy = await listening(server, () => subscribe(server.wsUrl, tokens.cat!, SUB, { c: conversationId }));
    stalled.socket.pause(); // reads nothing more: the kernel's buffers fill, then the server's

    let maxBuffered = 0;
    const sampler = setInterval(() => (maxBuffered = Math.max(maxBuffered, server.app.liveStats().bufferedBytes)), 2);
    const stored: number[] = [];
    let n = 0;
    try {
      for (let i = 0; i < 5; i++) stored.push((await send(n++, true)).sendMessage.seq);
      // ~21 KB frames: about 12 MB in all, well past what loopback's socket buffers hold.
      for (let round = 0; round < 75; round++) await Promise.all(Array.from({ length: 8 }, () => send(n++, false)));
      for (let i = 0; i < 5; i++) stored.push((await send(n++, true)).sendMessage.seq);
      await healthy.waitFor(n, 30_000);
    } finally {
      clearInterval(sampler);
    }
    // Unread bytes never exceeded the cap by more than the frame that found it full.
    expect(maxBuffered).toBeLessThan(CAP + 2 * 22_000);
    // The healthy subscriber got every message, in order.
    const texts = healthy.received.map((r) => Number(r.data.messageAdded.text.split(':')[0]));
    expect(texts).toEqual(Array.from({ length: n }, (_, i) => i));
    await healthy.close();

    // The stalled client reads again: what was buffered, then the close.
    stalled.socket.resume();
    expect(await closedWithin(stalled, 20_000)).toMatchObject({ code: 1013 });
    const seen = stalled.messages.filter((m) => m.type === 'next').map((m) => m.payload.data.messageAdded);
    const lastStored = seen.filter((m) => m.seq != null).at(-1);
    expect(seen.length).toBeLessThan(n);

    // Resuming after the last stored message it saw delivers every stored one it missed.
    const resumed = subscribe(server.wsUrl, tokens.ann!, SUB, { c: conversationId, a: lastStored?.cursor ?? null });
    const missing = stored.filter((seq) => seq > (lastStored?.seq ?? 0));
    const replay = await resumed.waitFor(missing.length, 10_000);
    expect(replay.map((r) => r.data.messageAdded.seq)).toEqual(missing);
    await resumed.close();
  }, 90_000);
});

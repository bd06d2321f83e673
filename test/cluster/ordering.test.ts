import { provisionApp, registerUser, userToken } from '../helpers/harness';
import { encodeMessageCursor } from '../../src/messages/records';
import { clusterEnv, expectComplete, sendMany, startInstance, type Instance } from '../helpers/cluster';
import { listening, subscribe } from '../helpers/live';

const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }`;
const LIVE = 'subscription($c: ID) { messageAdded(conversationId: $c) { seq text } }';
const TOTAL = Number(process.env.ORDERING_TOTAL ?? 2_000);

// Two instances write into one conversation at once: every subscriber, on either, sees one order.
describe('interleaved sends from two instances', () => {
  let a: Instance;
  let b: Instance;
  beforeAll(async () => {
    const env = clusterEnv();
    [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it(`delivers all ${TOTAL} to every subscriber on both instances in seq order, none lost or doubled`, async () => {
    const app = await provisionApp(a.server, 'ordering');
    const names = ['ann', 'ben', 'cat', 'dan'];
    for (const u of names) await registerUser(a.server, app.token, u);
    const [ann, ben, cat, dan] = await Promise.all(names.map((u) => userToken(a.server, app.appId, u)));
    const { createGroup } = await a.server.ok(
      `mutation { createGroup(input: { name: "busy", members: [{ username: "ben" }, { username: "cat" }, { username: "dan" }] }) { conversation { id } } }`,
      {},
      ann,
    );
    const c = createGroup.conversation.id;
    const subscribers = [
      await listening(a, () => subscribe(a.server.wsUrl, cat!, LIVE, { c })),
      await listening(a, () => subscribe(a.server.wsUrl, ben!, LIVE, { c })),
      await listening(b, () => subscribe(b.server.wsUrl, dan!, LIVE, { c })),
      await listening(b, () => subscribe(b.server.wsUrl, ann!, LIVE, { c })),
    ];

    const half = TOTAL / 2;
    const t0 = Date.now();
    const [fromA, fromB] = await Promise.all([
      sendMany(
        half,
        8,
        async (i) => (await a.server.ok(SEND, { i: { conversationId: c, type: 'TEXT', text: `a${i}` } }, ann)).sendMessage.seq,
      ),
      sendMany(
        half,
        8,
        async (i) => (await b.server.ok(SEND, { i: { conversationId: c, type: 'TEXT', text: `b${i}` } }, ben)).sendMessage.seq,
      ),
    ]);
    console.log(`${TOTAL} interleaved sends took ${Date.now() - t0} ms`);
    // The instances really interleaved: each stored seqs among the other's.
    expect(new Set([...fromA, ...fromB]).size).toBe(TOTAL);
    expect(Math.max(...fromA)).toBeGreaterThan(Math.min(...fromB));
    expect(Math.max(...fromB)).toBeGreaterThan(Math.min(...fromA));

    for (const s of subscribers) await s.waitFor(TOTAL, 60_000);
    await new Promise((r) => setTimeout(r, 300)); // nothing more (no duplicates) arrives late
    for (const s of subscribers) {
      expectComplete(s.received, TOTAL);
      await s.close();
    }

    // A late subscriber on either instance resumes after any seq and gets the rest in order.
    const resumed = subscribe(
      b.server.wsUrl,
      cat!,
      'subscription($c: ID, $a: String) { messageAdded(conversationId: $c, after: $a) { seq } }',
      {
        c,
        a: encodeMessageCursor(TOTAL - 20),
      },
    );
    await resumed.waitFor(20, 10_000);
    expect(resumed.received.map((m) => m.data.messageAdded.seq)).toEqual(Array.from({ length: 20 }, (_, i) => TOTAL - 19 + i));
    await resumed.close();
  }, 240_000);
});

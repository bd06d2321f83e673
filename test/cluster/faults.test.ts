import { provisionApp, registerUser, userToken, wsHandshake } from '../helpers/harness';
import { clusterEnv, expectComplete, sendMany, startInstance, startPrivateRedis, type Instance } from '../helpers/cluster';
import { subscribe } from '../helpers/live';
import { eventually } from '../outbox/helpers';

const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }`;
const LIVE = 'subscription($c: ID) { messageAdded(conversationId: $c) { seq } }';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function groupOf(server: Instance['server'], appToken: string, appId: string, names: string[]) {
  for (const u of names) await registerUser(server, appToken, u);
  const tokens = await Promise.all(names.map((u) => userToken(server, appId, u)));
  const members = names.slice(1).map((username) => ({ username }));
  const { createGroup } = await server.ok(
    `mutation($i: CreateGroupInput!) { createGroup(input: $i) { conversation { id } } }`,
    { i: { name: 'faults', members } },
    tokens[0],
  );
  return { tokens, conversationId: createGroup.conversation.id as string };
}

describe('an instance killed mid-load', () => {
  let a: Instance;
  let b: Instance;
  beforeAll(async () => {
    const env = clusterEnv({ PRESENCE_TTL_SECONDS: '3' });
    [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('leaves B serving, and A’s users offline on B within the presence TTL', async () => {
    const app = await provisionApp(b.server, 'killed');
    const { tokens, conversationId: c } = await groupOf(b.server, app.token, app.appId, ['kim', 'lee', 'max']);
    const [kim, lee, max] = tokens as [string, string, string];
    const online = async () =>
      (await b.server.ok(`{ presence(usernames: ["kim", "lee"]) { online } }`, {}, app.token)).presence.map((p: any) => p.online);
    // kim and lee are connected to A only; max watches presence on B.
    const sockets = await Promise.all([kim, lee].map((t) => wsHandshake(a.server.wsUrl, { authorization: `Bearer ${t}` })));
    expect(sockets.map((s) => s.ack)).toEqual([true, true]);
    const watch = subscribe(
      b.server.wsUrl,
      app.token,
      'subscription { presenceChanged(usernames: ["kim", "lee", "max"]) { online user { username } } }',
    );
    // The watch is live once it hears max come online on B; max reconnects until it does (the
    // subscription may register after max's first socket): no pause that a busy machine outlasts.
    let maxOnB = await wsHandshake(b.server.wsUrl, { authorization: `Bearer ${max}` });
    await eventually(async () => {
      if (watch.received.length) return true;
      maxOnB.socket.close();
      maxOnB = await wsHandshake(b.server.wsUrl, { authorization: `Bearer ${max}` });
      return undefined;
    }, 20_000);
    const ofKimAndLee = () => watch.received.filter((e) => e.data.presenceChanged.user.username !== 'max');
    expect(await online()).toEqual([true, true]);

    // Load on both instances, then A dies without a word.
    const stop = { a: false, b: false };
    const served = { a: 0, b: 0 };
    const load = (server: Instance['server'], key: keyof typeof stop) =>
      (async () => {
        while (!stop[key]) {
          const res = await server.gql(SEND, { i: { conversationId: c, type: 'TEXT', text: 'load' } }, max).catch(() => null);
          if (res?.status === 200 && !res.body.errors) served[key]++;
        }
        return served[key];
      })();
    const onA = load(a.server, 'a');
    const onB = load(b.server, 'b');
    // Both under load before the kill: a busy machine may take longer than a fixed pause for A's first (cold) send.
    for (const t0 = Date.now(); (served.a < 3 || served.b < 3) && Date.now() - t0 < 20_000;) await sleep(50);
    a.proc.child.kill('SIGKILL');
    stop.a = true;
    await a.proc.exited;
    const servedBeforeKill = await onA;

    // Presence on B: both offline once the TTL (3 s) has run out, announced on B. How long past the
    // TTL depends on the machine's load, so it is not asserted.
    await eventually(async () => ((await online()).some(Boolean) ? undefined : true), 30_000, 'kim and lee offline on B');
    await eventually(async () => (ofKimAndLee().length >= 2 ? true : undefined), 30_000, 'both announced');
    expect(ofKimAndLee().map((e) => e.data.presenceChanged.online)).toEqual([false, false]);
    maxOnB.socket.close();
    stop.b = true;
    const servedByB = await onB;
    expect(servedBeforeKill).toBeGreaterThan(0);
    expect(servedByB).toBeGreaterThan(0);
    // B kept serving through it all: a send and a fresh subscription work.
    expect((await b.server.ok(SEND, { i: { conversationId: c, type: 'TEXT', text: 'after' } }, lee)).sendMessage.seq).toBeGreaterThan(0);
    await watch.close();
  }, 60_000);
});

describe('Redis restarted mid-load', () => {
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
  let a: Instance;
  let b: Instance;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    const env = clusterEnv({ REDIS_URL: redis.url });
    [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it('loses no message for the subscribers on either instance: they catch up by seq', async () => {
    const app = await provisionApp(a.server, 'restart');
    const { tokens, conversationId: c } = await groupOf(a.server, app.token, app.appId, ['ora', 'pia', 'quinn', 'rex']);
    const [ora, pia, quinn, rex] = tokens as [string, string, string, string];
    const subscribers = [subscribe(a.server.wsUrl, quinn, LIVE, { c }), subscribe(b.server.wsUrl, rex, LIVE, { c })];
    // quinn also follows all their conversations on A; a direct one with pia gets its first message during the outage, on B.
    const { openDirectConversation: direct } = await b.server.ok(
      `mutation { openDirectConversation(peer: { username: "quinn" }) { id } }`,
      {},
      pia,
    );
    const everything = subscribe(a.server.wsUrl, quinn, 'subscription { messageAdded { seq text } }');
    // A socket on B whose token A revokes during the outage; a pair whose block on A B must learn.
    const doomed = await userToken(b.server, app.appId, 'rex');
    const { socket } = await wsHandshake(b.server.wsUrl, { authorization: `Bearer ${doomed}` });
    const closed = new Promise<number>((r) => socket.on('close', (code) => r(code)));
    const { openDirectConversation: pair } = await b.server.ok(
      `mutation { openDirectConversation(peer: { username: "rex" }) { id } }`,
      {},
      ora,
    );
    expect((await b.server.gql(SEND, { i: { conversationId: pair.id, type: 'TEXT', text: 'warm' } }, ora)).body.errors).toBeUndefined();
    // Every subscription is live once it has c's first message (no pause that a busy machine outlasts).
    await a.server.ok(SEND, { i: { conversationId: c, type: 'TEXT', text: 'first' } }, ora);
    for (const s of [...subscribers, everything]) await s.waitFor(1, 20_000);
    const total = 400;
    const send = (server: Instance['server'], token: string) => async () => {
      const seq = (await server.ok(SEND, { i: { conversationId: c, type: 'TEXT', text: 'x' } }, token)).sendMessage.seq;
      await sleep(5);
      return seq;
    };
    const both = (n: number) => Promise.all([sendMany(n / 2, 2, send(a.server, ora)), sendMany(n / 2, 2, send(b.server, pia))]);
    await both(total / 2);
    await redis.stop();
    const redisOf = async (i: Instance) => ((await (await fetch(`${i.server.url}/readyz`)).json()) as { redis: string }).redis;
    for (let i = 0; i < 200 && (await redisOf(a)) !== 'down'; i++) await sleep(50);
    expect(await redisOf(a)).toBe('down');
    // While Redis is away each instance delivers its own sends; the other's arrive only by catching up.
    await both(total / 2);
    await b.server.ok(SEND, { i: { conversationId: direct.id, type: 'TEXT', text: 'while away' } }, pia);
    await a.server.ok(`mutation($t: String!) { revokeToken(token: $t) }`, { t: doomed }, app.token);
    await a.server.ok(`mutation { blockUsers(users: [{ username: "ora" }]) { username } }`, {}, rex);
    redis = await startPrivateRedis(redis.port);
    for (const s of subscribers) await s.waitFor(total + 1, 30_000);
    await sleep(300);
    for (const s of subscribers) {
      expectComplete(s.received, total + 1);
      await s.close();
    }
    // Each connection comes back on its own reconnect backoff (up to 2 s): readiness follows within a few seconds.
    for (let i = 0; i < 300 && (await redisOf(b)) !== 'up'; i++) await sleep(50);
    expect(await redisOf(b)).toBe('up');
    await everything.waitFor(total + 2, 10_000);
    expect(everything.received.filter((m) => m.data.messageAdded.text === 'while away')).toHaveLength(1);
    await everything.close();
    // What B did not hear while Redis was away, it learns when Redis is back: its caches start cold
    // and its live sockets are checked again.
    expect(await Promise.race([closed, sleep(10_000).then(() => 'still open')])).toBe(4403);
    const refused = await b.server.gql(SEND, { i: { conversationId: pair.id, type: 'TEXT', text: 'blocked' } }, ora);
    expect(refused.body.errors?.[0]?.extensions?.reason).toBe('blocked');
  }, 120_000);
});

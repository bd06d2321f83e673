import WebSocket from 'ws';
import type { SoakFixtures } from './fixtures';
import { gql } from './server';

/** What the traffic saw: answers by status, the longest wait, and the texts acknowledged per kind. */
export interface TrafficLog {
  byStatus: Record<string, number>;
  longestWaitMs: number;
  /** Texts whose send was acknowledged (200), by how they were sent. */
  acked: { graphql: Set<string>; easemob: Set<string>; gobelieve: Set<string>; robot: Set<string> };
  skippedTicks: number;
  liveFrames: number;
}

type Op = 'graphql' | 'easemob' | 'gobelieve' | 'robot' | 'read';
const MIX: Op[] = ['graphql', 'easemob', 'read', 'gobelieve', 'graphql', 'robot', 'easemob', 'read'];

/**
 * Mixed traffic at a steady `rate` a second over GraphQL, graphql-ws and two adapters (Easemob,
 * GoBelieve). GraphQL sends carry a clientMessageId and are retried on 503 until acknowledged
 * (idempotent); vendor sends are not retried (their APIs have no idempotency key), so a 503 there
 * is a refusal, never counted as acknowledged.
 */
export function startTraffic(url: string, f: SoakFixtures, rate: number) {
  const log: TrafficLog = {
    byStatus: {},
    longestWaitMs: 0,
    acked: { graphql: new Set(), easemob: new Set(), gobelieve: new Set(), robot: new Set() },
    skippedTicks: 0,
    liveFrames: 0,
  };
  let seq = 0;
  let inFlight = 0;
  let stopped = false;
  const pending = new Set<Promise<void>>();
  const timed = async (fn: () => Promise<number>) => {
    const t = Date.now();
    // A request not answered within 30 s is recorded as status 0 (it would be a wedge).
    const status = await fn().catch(() => 0);
    log.longestWaitMs = Math.max(log.longestWaitMs, Date.now() - t);
    log.byStatus[status] = (log.byStatus[status] ?? 0) + 1;
    return status;
  };
  const u = (i: number) => f.users[i % f.users.length]!;

  async function gqlSend(from: number, to: string, text: string, into: Set<string>) {
    const q = `mutation($t: String!, $to: String!) { sendMessage(input: { to: { username: $to }, type: TEXT, text: $t, clientMessageId: $t }) { id } }`;
    for (let attempt = 0; attempt < 60; attempt++) {
      const status = await timed(async () => (await gql(url, q, { t: text, to }, u(from).token)).status);
      if (status === 200) return void into.add(text);
      if (status !== 503 && status !== 0) return;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  async function run(op: Op, n: number) {
    const text = `${op[0]}${n}`;
    if (op === 'graphql') return gqlSend(n, u(n + 1).username, text, log.acked.graphql);
    if (op === 'robot') return gqlSend(n, 'bot', text, log.acked.robot);
    if (op === 'read')
      return void (await timed(
        async () => (await gql(url, `{ conversations(first: 5) { edges { node { id } } } }`, {}, u(n).token)).status,
      ));
    if (op === 'easemob') {
      const body = { from: u(n).username, to: [u(n + 1).username], type: 'txt', body: { msg: text } };
      const status = await timed(
        async () =>
          (
            await fetch(`${f.easemobBase}/messages/users`, {
              method: 'POST',
              signal: AbortSignal.timeout(30_000),
              headers: { authorization: `Bearer ${f.appToken}`, 'content-type': 'application/json' },
              body: JSON.stringify(body),
            })
          ).status,
      );
      if (status === 200) log.acked.easemob.add(text);
      return;
    }
    const status = await timed(
      async () =>
        (
          await fetch(`${url}/gobelieve/messages/peers`, {
            method: 'POST',
            signal: AbortSignal.timeout(30_000),
            headers: { authorization: f.gobelieveBasic, 'content-type': 'application/json' },
            body: JSON.stringify({ sender: 101, receiver: 102, content: text }),
          })
        ).status,
    );
    if (status === 200) log.acked.gobelieve.add(text);
  }

  const tick = setInterval(() => {
    if (stopped) return;
    if (inFlight >= 64) return void log.skippedTicks++;
    const n = seq++;
    inFlight++;
    const p: Promise<void> = run(MIX[n % MIX.length]!, n).finally(() => (inFlight--, pending.delete(p)));
    pending.add(p);
  }, 1_000 / rate);

  // One live subscriber (graphql-ws) of the second user's messages, reconnecting when closed.
  let socket: WebSocket | undefined;
  const connect = () => {
    if (stopped) return;
    socket = new WebSocket(url.replace('http', 'ws') + '/graphql', 'graphql-transport-ws');
    socket.on('open', () => socket!.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${u(1).token}` } })));
    socket.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string };
      if (m.type === 'connection_ack')
        socket!.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { messageAdded { id text } }' } }));
      if (m.type === 'next') log.liveFrames++;
    });
    socket.on('close', () => setTimeout(connect, 500));
    socket.on('error', () => undefined);
  };
  connect();

  return {
    log,
    /** Stops issuing; resolves when every request under way (and its retries) has ended. */
    async stop() {
      stopped = true;
      clearInterval(tick);
      socket?.close();
      await Promise.all([...pending]);
    },
  };
}

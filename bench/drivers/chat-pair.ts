import WebSocket from 'ws';
import { loadSdk, unloadSdk } from '../lib/sdk';
import { argsOf, onCommand, say } from '../lib/proc';
import { nowMs, summarize } from '../lib/stats';

/**
 * Two chat clients, A sending `count` messages to B with at most `window` unanswered, B counting
 * what arrives. Mode `sdk`: two connections of the vendor's own client SDK (easemob-websdk, its code
 * unchanged, headless) over the facade's msync socket. Mode `graphql`: the same through GraphQL —
 * sendMessage over HTTP with A's token, B's messageAdded over graphql-ws. Command `run <count>
 * <window>` reports messages/s (first send to last arrival), latency (send to arrival), lost and
 * duplicated; `stop` exits.
 */
interface Args {
  mode: 'sdk' | 'graphql';
  appKey: string;
  base: string;
  a: { username: string; token: string };
  b: { username: string; token: string };
  /** graphql: the conversation of A and B. */
  conversationId: string;
}

const MARK = /t=(\d+(?:\.\d+)?);n=(\d+)/;
let arrived: (text: string) => void = () => undefined;
const onText = (text: string) => arrived(text);

async function sdkPair(a: Args) {
  const sdk = loadSdk();
  const connect = async (u: { username: string; token: string }) => {
    const conn = new sdk.connection({
      appKey: a.appKey,
      url: `${a.base.replace(/^http/, 'ws')}/easemob/ws`,
      apiUrl: `${a.base}/easemob`,
      isHttpDNS: false,
    });
    conn.addEventHandler('bench', { onTextMessage: (m: { msg: string }) => onText(m.msg) });
    await conn.open({ user: u.username, accessToken: u.token });
    return conn;
  };
  const [sender, receiver] = [await connect(a.a), await connect(a.b)];
  return {
    send: (text: string) => sender.send(sdk.message.create({ type: 'txt', chatType: 'singleChat', to: a.b.username, msg: text })),
    close: () => (sender.close(), receiver.close(), unloadSdk()),
  };
}

async function graphqlPair(a: Args) {
  const ws = new WebSocket(`${a.base.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${a.b.token}` } })));
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString());
      if (m.type === 'connection_ack') {
        const query = 'subscription($c: ID) { messageAdded(conversationId: $c) { text } }';
        ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables: { c: a.conversationId } } }));
        setTimeout(resolve, 300); // the subscription is set up on the server
      } else if (m.type === 'next') onText(m.payload.data.messageAdded.text);
    });
    ws.on('error', reject);
  });
  const SEND = 'mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }';
  return {
    send: async (text: string) => {
      const res = await fetch(`${a.base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${a.a.token}` },
        body: JSON.stringify({ query: SEND, variables: { i: { conversationId: a.conversationId, type: 'TEXT', text } } }),
      });
      const body = (await res.json()) as { errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors).slice(0, 300));
    },
    close: () => ws.terminate(),
  };
}

async function main() {
  const a = argsOf<Args>();
  const pair = a.mode === 'sdk' ? await sdkPair(a) : await graphqlPair(a);
  let n = 0;
  say('READY', {});
  onCommand(async (line) => {
    if (line === 'stop') {
      pair.close();
      setTimeout(() => process.exit(0), 100);
      return;
    }
    const [, countText, windowText] = line.split(' ');
    const count = Number(countText);
    const first = n;
    const seen = new Uint8Array(count);
    const latencies: number[] = [];
    let duplicated = 0;
    let got = 0;
    let lastAt = 0;
    const done = new Promise<void>((resolve) => {
      arrived = (text) => {
        const m = MARK.exec(text);
        if (!m) return;
        const k = Number(m[2]) - first;
        if (k < 0 || k >= count) return;
        if (seen[k]) return void duplicated++;
        seen[k] = 1;
        got++;
        lastAt = nowMs();
        latencies.push(lastAt - Number(m[1]));
        if (got === count) resolve();
      };
    });
    const started = nowMs();
    let next = 0;
    let failed = 0;
    const worker = async () => {
      while (next < count) {
        const k = next++;
        await pair.send(`t=${nowMs().toFixed(3)};n=${first + k}`).catch(() => failed++);
      }
    };
    await Promise.all(Array.from({ length: Number(windowText) }, worker));
    n += count;
    await Promise.race([done, new Promise((r) => setTimeout(r, 15_000))]);
    const seconds = (lastAt - started) / 1000;
    process.stderr.write(
      `${a.mode}: ${got}/${count} arrived in ${seconds.toFixed(1)} s with ${windowText} unanswered (${failed} failed)\n`,
    );
    say('RESULT', {
      messagesPerSecond: Math.round(got / seconds),
      latency: summarize(latencies),
      lost: count - got - failed,
      failed,
      duplicated,
    });
  });
}

void main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});

import { once } from 'node:events';
import WebSocket, { WebSocketServer } from 'ws';
import { LiveConnection } from '../../src/graphql/live/connection';
import { hasWireInternals, wireStats, writeTextFrame } from '../../src/graphql/live/wire';

/**
 * The live loop writes shared frames straight to ws's socket (src/graphql/live/wire.ts). This pins
 * the ws internals that fast path reads: a ws upgrade that renames or reshapes them fails here,
 * instead of silently turning every frame into a slower `send`.
 */
/** A ws server socket and the client at its other end, collecting the text frames it receives. */
async function socketPair() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as { port: number }).port}`);
  const received: string[] = [];
  client.on('message', (d) => received.push(String(d)));
  const [socket] = (await accepted) as [WebSocket];
  return {
    socket,
    received,
    /** Resolves once `n` frames have arrived (or after 5 s, for the assertion to say what did). */
    async arrived(n: number) {
      for (let i = 0; i < 500 && received.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    },
    async close() {
      client.close();
      await new Promise((r) => server.close(r));
    },
  };
}

describe('the fast frame writer on ws', () => {
  it('finds the internals it reads, and its frames arrive intact and in order with ws’s own', async () => {
    const { socket, received, arrived, close } = await socketPair();
    expect(hasWireInternals(socket)).toBe(true);

    const before = { ...wireStats };
    const big = Buffer.from(JSON.stringify({ text: 'x'.repeat(70_000) })); // a 64-bit length header
    writeTextFrame(socket, Buffer.from('{"id":"1","payload":'), Buffer.from('{"a":1}'));
    socket.send('{"plain":true}');
    writeTextFrame(socket, Buffer.from('{"id":"2","payload":'), Buffer.from(`{"b":"${'y'.repeat(300)}"}`)); // 16-bit length
    writeTextFrame(socket, Buffer.from('{"id":"3","payload":'), big);
    await arrived(4);
    expect(received.map((r) => JSON.parse(r))).toEqual([
      { id: '1', payload: { a: 1 } },
      { plain: true },
      { id: '2', payload: { b: 'y'.repeat(300) } },
      { id: '3', payload: JSON.parse(big.toString()) },
    ]);
    expect(wireStats.direct - before.direct).toBeGreaterThanOrEqual(1);
    await close();
  });

  it('writes the frames a socket receives in one turn with one write, in order with the frames around them', async () => {
    const { socket, received, arrived, close } = await socketPair();
    const conn = new LiveConnection(socket, 1_000_000);
    const prefix = (id: string) => Buffer.from(`{"id":"${id}","payload":`);

    const before = { ...wireStats };
    conn.write('{"first":true}');
    conn.writeNext(prefix('1'), Buffer.from('{"a":1}'));
    conn.writeNext(prefix('2'), Buffer.from(`{"b":"${'y'.repeat(300)}"}`)); // a 16-bit length
    conn.writeNext(prefix('3'), Buffer.from('{"c":3}'));
    expect(wireStats.writes - before.writes).toBe(0); // queued until the turn ends
    await new Promise((r) => setImmediate(r));
    expect(wireStats.writes - before.writes).toBe(1);
    conn.writeNext(prefix('4'), Buffer.from('{"d":4}'));
    conn.write('{"last":true}'); // written after the frame queued before it
    await arrived(6);
    expect(received.map((r) => JSON.parse(r))).toEqual([
      { first: true },
      { id: '1', payload: { a: 1 } },
      { id: '2', payload: { b: 'y'.repeat(300) } },
      { id: '3', payload: { c: 3 } },
      { id: '4', payload: { d: 4 } },
      { last: true },
    ]);
    await close();
  });
});

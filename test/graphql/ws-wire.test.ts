import { once } from 'node:events';
import WebSocket, { WebSocketServer } from 'ws';
import { writeTextFrame } from '../../src/graphql/live/wire';

// The one-write frames of src/graphql/live/wire.ts, read by a real ws client: every length
// encoding (7-bit, 16-bit, 64-bit), interleaved with ws's own sends, in order.
describe('writeTextFrame', () => {
  let server: WebSocketServer;
  let serverSide: WebSocket;
  let client: WebSocket;
  const received: string[] = [];

  beforeAll(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    await once(server, 'listening');
    const accepted = once(server, 'connection');
    client = new WebSocket(`ws://127.0.0.1:${(server.address() as { port: number }).port}`);
    client.on('message', (data, isBinary) => received.push(isBinary ? 'BINARY' : String(data)));
    [serverSide] = (await accepted) as [WebSocket];
  });
  afterAll(async () => {
    client.close();
    await new Promise((r) => server.close(r));
  });

  it('frames payloads of every length so that a ws client reads them as text, in order with ws.send', async () => {
    const prefix = Buffer.from('{"id":"é1","type":"next","payload":');
    // Whole frame bodies (prefix + payload + `}`) of these byte lengths, around each encoding's bounds.
    const sizes = [prefix.length + 3, 125, 126, 127, 65_535, 65_536, 200_000];
    const expected: string[] = [];
    for (const size of sizes) {
      const payload = `"${'x'.repeat(size - prefix.length - 3)}"`;
      writeTextFrame(serverSide, prefix, Buffer.from(payload));
      expected.push(`${prefix.toString()}${payload}}`);
      serverSide.send(`between ${size}`);
      expected.push(`between ${size}`);
    }
    const deadline = Date.now() + 10_000;
    while (received.length < expected.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(received).toEqual(expected);
    for (const text of received.filter((t) => t.startsWith('{'))) expect(() => JSON.parse(text)).not.toThrow();
  });
});

import WebSocket from 'ws';

/**
 * A graphql-transport-ws socket driven by hand: every frame it receives (raw text and parsed), and
 * how it closed. For protocol tests, where the graphql-ws client would hide what the server sent.
 */
export interface RawSocket {
  socket: WebSocket;
  frames: string[];
  messages: any[];
  closed: Promise<{ code: number; reason: string }>;
  send(message: unknown): void;
  /** Waits for the first message (from index `from`) matching `match`. */
  waitFor(match: (m: any) => boolean, ms?: number, from?: number): Promise<any>;
  /** connection_init with this authorization, resolved on connection_ack. */
  init(token: string): Promise<void>;
}

/** `protocol: null` offers no subprotocol at all. */
export async function openRaw(wsUrl: string, opts: { protocol?: string | null; autoPong?: boolean } = {}): Promise<RawSocket> {
  const protocols = opts.protocol === null ? [] : [opts.protocol ?? 'graphql-transport-ws'];
  const socket = new WebSocket(wsUrl, protocols, { autoPong: opts.autoPong ?? true });
  const frames: string[] = [];
  const messages: any[] = [];
  socket.on('message', (data) => {
    frames.push(String(data));
    messages.push(JSON.parse(String(data)));
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const raw: RawSocket = {
    socket,
    frames,
    messages,
    closed,
    send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
    async waitFor(match, ms = 15_000, from = 0) {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = messages.slice(from).find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching message; got ${JSON.stringify(messages).slice(0, 500)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async init(token) {
      raw.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
      await raw.waitFor((m) => m.type === 'connection_ack');
    },
  };
  return raw;
}

/** Resolves with the close, or fails when the socket is still open after `ms`. */
export async function closedWithin(raw: RawSocket, ms = 5_000) {
  return Promise.race([
    raw.closed,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms).unref()),
  ]);
}

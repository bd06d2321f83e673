import type { WebSocket } from 'ws';

/**
 * One WebSocket text frame written with one `write`: the header, the operation's own prefix, the
 * shared payload bytes and the closing brace, copied into a single buffer. ws's own `send` frames
 * the same bytes as a separate header and body through cork/writev; for a frame that a thousand
 * sockets receive, one buffer and one write each is measurably cheaper (bench/notes.md, issue 15).
 *
 * It writes to ws's socket directly, which keeps the frame order only while ws's sender has
 * nothing of its own queued: that is always so without permessage-deflate (disabled on this
 * server) and without Blob messages (never sent here). Anything else falls back to `send`.
 */
type SenderState = { _state?: number; _queue?: unknown[] };
type Internals = { _socket?: { write(b: Buffer): boolean; writable?: boolean }; _sender?: SenderState };

const CLOSE_BRACE = 0x7d; // }

export function writeTextFrame(socket: WebSocket, prefix: Buffer, payload: Buffer): void {
  const length = prefix.length + payload.length + 1;
  const raw = (socket as unknown as Internals)._socket;
  const sender = (socket as unknown as Internals)._sender;
  if (!raw?.writable || sender?._state !== 0 || sender._queue?.length !== 0) {
    socket.send(Buffer.concat([prefix, payload, Buffer.of(CLOSE_BRACE)], length), { binary: false });
    return;
  }
  const head = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + length);
  frame[0] = 0x81; // FIN, text
  if (head === 2) frame[1] = length;
  else if (head === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  prefix.copy(frame, head);
  payload.copy(frame, head + prefix.length);
  frame[head + length - 1] = CLOSE_BRACE;
  raw.write(frame);
}

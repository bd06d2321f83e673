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
 *
 * This file is the only place that reads ws internals, and only reads them (`_socket`, the net
 * socket; `_sender._state` and `_sender._queue`, whether ws has anything of its own in flight); it
 * writes nothing into ws. test/core/wire.test.ts fails when a ws upgrade renames or reshapes them
 * (the fast path would silently turn into `send`, correct but slower), so an upgrade is noticed.
 */
type SenderState = { _state?: unknown; _queue?: unknown };
type Internals = { _socket?: { write?: unknown; writable?: boolean }; _sender?: SenderState };

const CLOSE_BRACE = 0x7d; // }

/** How frames went out: straight to the socket (in `writes` writes), or through ws's `send` (tests and benches read it). */
export const wireStats = { direct: 0, viaSend: 0, writes: 0 };

/** Whether this ws still has the internals the fast path reads, with the shapes it expects. */
export function hasWireInternals(socket: WebSocket): boolean {
  const { _socket: raw, _sender: sender } = socket as unknown as Internals;
  return typeof raw?.write === 'function' && typeof sender?._state === 'number' && Array.isArray(sender._queue);
}

export function writeTextFrame(socket: WebSocket, prefix: Buffer, payload: Buffer): void {
  writeTextFrames(socket, [prefix, payload]);
}

const headLength = (length: number) => (length < 126 ? 2 : length < 65_536 ? 4 : 10);

/**
 * Several text frames, `parts` being each frame's prefix and payload in turn, written with one
 * `write` (one system call however many frames): a socket that receives several events in one
 * turn of the event loop pays for one write, not one each.
 */
export function writeTextFrames(socket: WebSocket, parts: readonly Buffer[]): void {
  const { _socket: raw, _sender: sender } = socket as unknown as Internals;
  if (!hasWireInternals(socket) || !raw!.writable || sender!._state !== 0 || (sender!._queue as unknown[]).length !== 0) {
    for (let i = 0; i < parts.length; i += 2) {
      wireStats.viaSend++;
      const length = parts[i]!.length + parts[i + 1]!.length + 1;
      socket.send(Buffer.concat([parts[i]!, parts[i + 1]!, Buffer.of(CLOSE_BRACE)], length), { binary: false });
    }
    return;
  }
  let total = 0;
  for (let i = 0; i < parts.length; i += 2) {
    const length = parts[i]!.length + parts[i + 1]!.length + 1;
    total += headLength(length) + length;
  }
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (let i = 0; i < parts.length; i += 2) {
    wireStats.direct++;
    const prefix = parts[i]!;
    const payload = parts[i + 1]!;
    const length = prefix.length + payload.length + 1;
    const head = headLength(length);
    out[at] = 0x81; // FIN, text
    if (head === 2) out[at + 1] = length;
    else if (head === 4) {
      out[at + 1] = 126;
      out.writeUInt16BE(length, at + 2);
    } else {
      out[at + 1] = 127;
      out.writeBigUInt64BE(BigInt(length), at + 2);
    }
    at += head;
    at += prefix.copy(out, at);
    at += payload.copy(out, at);
    out[at++] = CLOSE_BRACE;
  }
  wireStats.writes++;
  (raw as { write(b: Buffer): boolean }).write(out);
}

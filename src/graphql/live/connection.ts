import type { WebSocket } from 'ws';
import type { FrameWriter, Operation } from './operation';
import { liveCounts } from '../../observability/metrics';
import { writeTextFrames } from './wire';

export const OPEN = 1;
/** Queued frames past this size are written at once rather than at the end of the turn. */
const BATCH_BYTES = 16_384;

/** One socket speaking graphql-transport-ws. */
export class LiveConnection<S> implements FrameWriter {
  state: S | undefined;
  initReceived = false;
  acknowledged = false;
  readonly operations = new Map<string, Operation>();
  awaitingPong = false;
  initTimer: NodeJS.Timeout | undefined;
  /** `next` frames not yet written: each one's prefix and payload in turn. */
  private queued: Buffer[] | undefined;
  private queuedBytes = 0;

  constructor(
    readonly socket: WebSocket,
    private readonly maxBufferedBytes: number,
    /** Where the upgrade came from: the peer's address and its X-Forwarded-For (used only behind a trusted proxy). */
    readonly remote: { address: string; forwardedFor?: string } = { address: '' },
  ) {}

  /** Writes a frame unless the client has left more than maxBufferedBytes unread: then it is closed (1013). */
  write(text: string): boolean {
    if (!this.writable()) return false;
    this.flushQueued(); // after the `next` frames queued before it
    this.socket.send(text);
    liveCounts.frames++;
    liveCounts.bytes += text.length;
    return true;
  }

  /**
   * Queues the frame `prefix` + `payload` + `}`; the socket's queued frames are written together
   * when this turn of the event loop ends (one write for all the events it received meanwhile).
   */
  writeNext(prefix: Buffer, payload: Buffer): boolean {
    if (!this.writable()) return false;
    if (!this.queued) {
      this.queued = [];
      queueFlush(this);
    }
    this.queued.push(prefix, payload);
    const bytes = prefix.length + payload.length + 1;
    this.queuedBytes += bytes;
    liveCounts.frames++;
    liveCounts.bytes += bytes;
    // A batch is bounded: past BATCH_BYTES it goes out now, so what a socket holds beyond its
    // unread cap stays within one batch and a frame.
    if (this.queuedBytes >= BATCH_BYTES) this.flushQueued();
    return true;
  }

  /** Writes the frames queued for this socket, if it is still open. */
  flushQueued() {
    const parts = this.queued;
    if (!parts) return;
    this.queued = undefined;
    this.queuedBytes = 0;
    if (this.socket.readyState === OPEN) writeTextFrames(this.socket, parts);
  }

  private writable() {
    const socket = this.socket;
    if (socket.readyState !== OPEN) return false;
    if (socket.bufferedAmount > this.maxBufferedBytes) {
      // Nothing more is queued for it; ws drops the socket if the close handshake does not finish.
      this.queued = undefined;
      this.queuedBytes = 0;
      liveCounts.backpressureCloses++;
      socket.close(1013, 'Try again later: messages are not read fast enough; resume with `after`');
      return false;
    }
    return true;
  }

  close(code: number, reason: string) {
    this.flushQueued();
    if (this.socket.readyState <= OPEN) this.socket.close(code, reason);
  }
}

/**
 * Sockets with frames queued in this turn of the event loop. They are written once it has run
 * what it had to run (setImmediate: after the I/O callbacks of this turn), so that when several
 * events arrive together, as under load, each socket gets one write for all of them; alone, an
 * event waits for nothing but the end of its own turn.
 */
let dirty: LiveConnection<unknown>[] = [];
function queueFlush(conn: LiveConnection<unknown>) {
  if (dirty.length === 0) setImmediate(flushDirty);
  dirty.push(conn);
}
function flushDirty() {
  const due = dirty;
  dirty = [];
  for (const conn of due) conn.flushQueued();
}

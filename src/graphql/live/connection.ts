import type { WebSocket } from 'ws';
import type { FrameWriter, Operation } from './operation';
import { liveCounts } from '../../observability/metrics';
import { writeTextFrame } from './wire';

export const OPEN = 1;

/** One socket speaking graphql-transport-ws. */
export class LiveConnection<S> implements FrameWriter {
  state: S | undefined;
  initReceived = false;
  acknowledged = false;
  readonly operations = new Map<string, Operation>();
  awaitingPong = false;
  initTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly socket: WebSocket,
    private readonly maxBufferedBytes: number,
    /** Where the upgrade came from: the peer's address and its X-Forwarded-For (used only behind a trusted proxy). */
    readonly remote: { address: string; forwardedFor?: string } = { address: '' },
  ) {}

  /** Writes a frame unless the client has left more than maxBufferedBytes unread: then it is closed (1013). */
  write(text: string): boolean {
    if (!this.writable()) return false;
    this.socket.send(text);
    liveCounts.frames++;
    liveCounts.bytes += text.length;
    return true;
  }

  writeNext(prefix: Buffer, payload: Buffer): boolean {
    if (!this.writable()) return false;
    writeTextFrame(this.socket, prefix, payload);
    liveCounts.frames++;
    liveCounts.bytes += prefix.length + payload.length + 1;
    return true;
  }

  private writable() {
    const socket = this.socket;
    if (socket.readyState !== OPEN) return false;
    if (socket.bufferedAmount > this.maxBufferedBytes) {
      // Nothing more is queued for it; ws drops the socket if the close handshake does not finish.
      if (socket.readyState === OPEN) liveCounts.backpressureCloses++;
      socket.close(1013, 'Try again later: messages are not read fast enough; resume with `after`');
      return false;
    }
    return true;
  }

  close(code: number, reason: string) {
    if (this.socket.readyState <= OPEN) this.socket.close(code, reason);
  }
}

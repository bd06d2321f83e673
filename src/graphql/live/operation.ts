import type { Frame, FrameWaiter } from './frames';

/** Where an operation writes: its socket's connection (server.ts). */
export interface FrameWriter {
  /** Writes one text frame; false when the socket is gone or was closed for not reading. */
  write(text: string): boolean;
  /** Writes the text frame `prefix` + `payload` + `}` (the shared payload's bytes are not re-encoded). */
  writeNext(prefix: Buffer, payload: Buffer): boolean;
}

/**
 * One running operation on a socket. Its `next` frames are written in event order: a frame whose
 * result is ready and has nothing before it goes straight to the socket (`{"id":…,"type":"next",
 * "payload":` + shared text + `}`, no JSON.stringify per subscriber); otherwise it waits for the
 * frames ahead of it. `end` writes `complete` (or `error`) after the frames still pending.
 */
export class Operation implements FrameWaiter {
  private pending: Frame[] = [];
  private ending: { errors?: string } | undefined;
  private readonly prefix: Buffer;
  /** Stops the operation's source; set once it runs. */
  stopSource: (() => void) | undefined;
  done = false;

  constructor(
    readonly id: string,
    private readonly writer: FrameWriter,
    /** Called once when the operation is over, however it ends. */
    private readonly release: () => void,
  ) {
    this.prefix = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
  }

  push(frame: Frame) {
    if (this.done || this.ending) return;
    if (this.pending.length === 0 && frame.text !== undefined) {
      this.writer.writeNext(this.prefix, frame.bytes);
      return;
    }
    this.pending.push(frame);
    if (frame.text === undefined) frame.wait(this);
  }

  flush() {
    if (this.done) return;
    let i = 0;
    while (i < this.pending.length && this.pending[i]!.text !== undefined) this.writer.writeNext(this.prefix, this.pending[i++]!.bytes);
    if (i) this.pending.splice(0, i);
    if (this.pending.length === 0 && this.ending) this.finish(this.ending.errors);
  }

  /** The source ended: `complete`, or `error` with the formatted errors' JSON, after what is pending. */
  end(errorsJson?: string) {
    if (this.done || this.ending) return;
    this.ending = { errors: errorsJson };
    this.flush();
  }

  /** The client completed it, or the socket closed: nothing more is written. */
  cancel() {
    if (this.done) return;
    this.done = true;
    this.pending = [];
    this.stopSource?.();
    this.release();
  }

  private finish(errorsJson: string | undefined) {
    this.done = true;
    const id = JSON.stringify(this.id);
    this.writer.write(errorsJson ? `{"id":${id},"type":"error","payload":${errorsJson}}` : `{"id":${id},"type":"complete"}`);
    this.stopSource?.();
    this.release();
  }
}

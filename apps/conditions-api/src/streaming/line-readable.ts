import { Readable } from 'node:stream';

/** Buffered before `write` makes its caller wait: a few hundred lines. */
const HIGH_WATER_MARK = 64 * 1024;

/**
 * The body of a streamed answer, written to line by line. `write` resolves when the client
 * has room for more, so a slow reader slows the NATS consumer down instead of filling the
 * API's memory; once the client has gone, writes are dropped and `onGone` has been called.
 */
export class LineReadable extends Readable {
  private waiting: (() => void) | undefined;

  constructor(private readonly onGone: () => void) {
    super({ highWaterMark: HIGH_WATER_MARK });
  }

  async write(text: string): Promise<void> {
    if (this.destroyed) return;
    if (this.push(text)) return;
    await new Promise<void>((resolve) => (this.waiting = resolve));
  }

  /** Everything was written: end the answer normally. */
  finish(): void {
    if (!this.destroyed) this.push(null);
  }

  override _read(): void {
    this.release();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.release();
    this.onGone();
    callback(error);
  }

  private release(): void {
    const resume = this.waiting;
    this.waiting = undefined;
    resume?.();
  }
}

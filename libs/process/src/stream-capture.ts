import { LineSplitter } from './line-splitter';
import { TailBuffer } from './tail-buffer';

/** One output stream of a script: its lines as they come, and its last `maxBytes` for the result. */
export class StreamCapture {
  private readonly tail: TailBuffer;
  private readonly lines: LineSplitter;

  constructor(maxBytes: number, onLine: (line: string) => void) {
    this.tail = new TailBuffer(maxBytes);
    this.lines = new LineSplitter(onLine);
  }

  push(chunk: Buffer): void {
    this.tail.push(chunk);
    this.lines.push(chunk);
  }

  /** Call once the stream is closed: passes on a last line that had no newline. */
  end(): void {
    this.lines.end();
  }

  text(): string {
    return this.tail.text();
  }

  get droppedBytes(): number {
    return this.tail.dropped;
  }
}

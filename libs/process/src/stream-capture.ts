import { LineSplitter } from './line-splitter';
import { TailBuffer } from './tail-buffer';

/** One output stream: its lines as they come (if asked for), and its last `maxBytes`. */
export class StreamCapture {
  private readonly tail: TailBuffer;
  private readonly lines: LineSplitter | undefined;
  totalBytes = 0;

  constructor(maxBytes: number, onLine?: (line: string) => void) {
    this.tail = new TailBuffer(maxBytes);
    this.lines = onLine ? new LineSplitter(onLine) : undefined;
  }

  push(chunk: Buffer): void {
    this.totalBytes += chunk.length;
    this.tail.push(chunk);
    this.lines?.push(chunk);
  }

  /** Call once the stream is closed: passes on a last line that had no newline. */
  end(): void {
    this.lines?.end();
  }

  text(): string {
    return this.tail.text();
  }

  get droppedBytes(): number {
    return this.tail.dropped;
  }
}

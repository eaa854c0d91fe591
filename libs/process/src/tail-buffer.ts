/**
 * Keeps the last `maxBytes` of a stream: when a script fails after printing a lot, its last
 * lines say why, so those are the ones worth holding.
 */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Bytes dropped from the front so far. */
  dropped = 0;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.maxBytes) {
      const excess = this.size - this.maxBytes;
      const first = this.chunks[0];
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
        this.dropped += first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
        this.dropped += excess;
      }
    }
  }

  /** The kept bytes as UTF-8, starting at a whole character when the cut fell inside one. */
  text(): string {
    let bytes = Buffer.concat(this.chunks);
    if (this.dropped > 0) {
      let start = 0;
      // 0b10xxxxxx bytes continue a character whose first byte was dropped.
      while (start < bytes.length && start < 3 && (bytes[start] & 0xc0) === 0x80) start++;
      bytes = bytes.subarray(start);
    }
    return bytes.toString('utf8');
  }
}

import { DecodeError } from './errors';

/**
 * Bounds-checked reading of a received datagram: every read names the field, so a short or
 * hostile packet fails with a DecodeError that says which field was missing, never with a
 * RangeError or a read past the end.
 */
export class ByteReader {
  private pos: number;

  constructor(
    private readonly buf: Buffer,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, field: string): void {
    if (n < 0 || this.pos + n > this.end) {
      throw new DecodeError(`${field}: needs ${n} byte(s), ${this.remaining} left`);
    }
  }

  u8(field: string): number {
    this.need(1, field);
    return this.buf[this.pos++];
  }

  u16le(field: string): number {
    this.need(2, field);
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }

  u32le(field: string): number {
    this.need(4, field);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  bytes(n: number, field: string): Buffer {
    this.need(n, field);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  rest(): Buffer {
    const v = this.buf.subarray(this.pos, this.end);
    this.pos = this.end;
    return v;
  }

  expectEnd(what: string): void {
    if (this.remaining !== 0)
      throw new DecodeError(`${what}: ${this.remaining} unexpected byte(s)`);
  }
}

export function u32le(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0);
  return b;
}

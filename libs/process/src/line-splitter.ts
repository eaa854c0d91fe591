import { StringDecoder } from 'node:string_decoder';

/** A line this long without a newline is passed on in pieces rather than held without bound. */
export const MAX_LINE_CHARS = 64 * 1024;

/**
 * Cuts a byte stream into text lines as they complete, for live output. UTF-8 characters split
 * across chunks are joined first; `\r\n` ends a line like `\n`. The unterminated rest is a line
 * of its own once the stream ends.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(
    private readonly emit: (line: string) => void,
    private readonly maxLineChars = MAX_LINE_CHARS,
  ) {}

  push(chunk: Buffer): void {
    this.take(this.decoder.write(chunk));
  }

  end(): void {
    this.take(this.decoder.end());
    if (this.partial !== '') this.emit(this.partial);
    this.partial = '';
  }

  private take(text: string): void {
    const buffered = this.partial + text;
    let start = 0;
    for (
      let newline = buffered.indexOf('\n');
      newline !== -1;
      newline = buffered.indexOf('\n', start)
    ) {
      const end = newline > start && buffered[newline - 1] === '\r' ? newline - 1 : newline;
      this.emitCut(buffered.slice(start, end));
      start = newline + 1;
    }
    let rest = buffered.slice(start);
    while (rest.length > this.maxLineChars) {
      this.emit(rest.slice(0, this.maxLineChars));
      rest = rest.slice(this.maxLineChars);
    }
    this.partial = rest;
  }

  private emitCut(line: string): void {
    for (let at = 0; at < line.length; at += this.maxLineChars)
      this.emit(line.slice(at, at + this.maxLineChars));
    if (line === '') this.emit(line);
  }
}

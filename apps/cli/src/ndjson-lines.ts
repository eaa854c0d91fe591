import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';

/**
 * The lines of a streamed body as they complete (NDJSON: one JSON value per line), read by
 * node:readline: UTF-8 characters split across chunks are joined, `\r\n` ends a line like
 * `\n`, an unterminated last line still counts, and an error of the body is thrown.
 */
export function ndjsonLines(body: AsyncIterable<Uint8Array>): AsyncIterable<string> {
  return createInterface({ input: Readable.from(body), crlfDelay: Infinity });
}

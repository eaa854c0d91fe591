/**
 * The lines of a streamed body as they complete (NDJSON: one JSON value per line). UTF-8
 * characters split across chunks are joined first; `\r\n` ends a line like `\n`; an
 * unterminated last line still counts.
 */
export async function* ndjsonLines(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let partial = '';
  for await (const chunk of body) {
    partial += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = partial.indexOf('\n')) !== -1) {
      yield partial.slice(0, newline).replace(/\r$/, '');
      partial = partial.slice(newline + 1);
    }
  }
  partial += decoder.decode();
  if (partial !== '') yield partial;
}

import { ndjsonLines } from './ndjson-lines';

async function linesOf(...chunks: (string | Uint8Array)[]): Promise<string[]> {
  async function* body() {
    for (const c of chunks) yield typeof c === 'string' ? new TextEncoder().encode(c) : c;
  }
  const lines: string[] = [];
  for await (const line of ndjsonLines(body())) lines.push(line);
  return lines;
}

describe('ndjsonLines', () => {
  const euro = new TextEncoder().encode('{"line":"€"}\n');
  it.each([
    ['one line per chunk', ['{"a":1}\n', '{"a":2}\n'], ['{"a":1}', '{"a":2}']],
    ['lines split across chunks', ['{"a"', ':1}\n{"a":', '2}\n'], ['{"a":1}', '{"a":2}']],
    ['many lines in one chunk', ['{"a":1}\n{"a":2}\n{"a":3}\n'], ['{"a":1}', '{"a":2}', '{"a":3}']],
    ['\\r\\n line ends', ['{"a":1}\r\n{"a":2}\r\n'], ['{"a":1}', '{"a":2}']],
    ['an unterminated last line', ['{"a":1}\n{"a":2}'], ['{"a":1}', '{"a":2}']],
    [
      'a UTF-8 character split between chunks',
      [euro.slice(0, 11), euro.slice(11)],
      ['{"line":"€"}'],
    ],
    ['nothing', [], []],
  ])('%s', async (_name, chunks, expected) => {
    expect(await linesOf(...chunks)).toEqual(expected);
  });
});

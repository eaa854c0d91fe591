import { LineSplitter } from './line-splitter';

function split(chunks: Array<string | Buffer>, maxLineChars?: number): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line), maxLineChars);
  for (const chunk of chunks) splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  splitter.end();
  return lines;
}

describe('LineSplitter: complete lines as they come', () => {
  const euro = Buffer.from('€'); // three bytes

  it.each([
    ['one chunk, several lines', ['a\nb\nc\n'], ['a', 'b', 'c']],
    ['a line across chunks', ['hel', 'lo\nwor', 'ld\n'], ['hello', 'world']],
    ['CRLF endings', ['a\r\nb\r', '\n'], ['a', 'b']],
    ['empty lines kept', ['\n\nx\n'], ['', '', 'x']],
    ['a last line without a newline', ['a\nlast'], ['a', 'last']],
    [
      'a character split across chunks',
      [Buffer.from('x'), euro.subarray(0, 1), Buffer.concat([euro.subarray(1), Buffer.from('\n')])],
      ['x€'],
    ],
    ['nothing', [], []],
  ])('%s', (_case, chunks, lines) => {
    expect(split(chunks)).toEqual(lines);
  });

  it('passes on an endless line in pieces instead of holding it without bound', () => {
    expect(split(['abcdefg', 'hij\n'], 4)).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('emits a line as soon as its newline arrives, not at the end', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));

    splitter.push(Buffer.from('first\nsec'));

    expect(lines).toEqual(['first']);
  });
});

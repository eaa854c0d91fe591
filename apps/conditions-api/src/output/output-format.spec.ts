import type { OutputLine } from '@switchboard/condition-types';
import { formatLine, outputFormat } from './output-format';

const line: OutputLine = {
  conditionId: '9b2f1f4e-4a0c-4f53-9d61-3c1bb1c5a001',
  server: 'node01',
  stream: 'stderr',
  line: 'load 0.5',
  ts: '2026-01-01T00:00:00.000Z',
};

describe('outputFormat', () => {
  it.each([
    [undefined, 'text'],
    ['*/*', 'text'],
    ['text/plain', 'text'],
    ['application/x-ndjson', 'ndjson'],
    ['text/plain;q=0.5, application/x-ndjson', 'ndjson'],
    ['application/x-ndjson; charset=utf-8', 'ndjson'],
    ['application/x-ndjsonish', 'text'],
  ])('reads Accept %p as %s', (accept, format) => {
    expect(outputFormat(accept)).toBe(format);
  });
});

describe('formatLine', () => {
  it('writes text as printed, after "server: " when asked', () => {
    expect(formatLine('text', line, undefined)).toBe('load 0.5\n');
    expect(formatLine('text', line, 'node01')).toBe('node01: load 0.5\n');
  });

  it("escapes line breaks inside a line, so that no line can pass for another node's", () => {
    expect(formatLine('text', { ...line, line: 'ok\nnode02: forged\r' }, 'node01')).toBe(
      'node01: ok\\nnode02: forged\\r\n',
    );
  });

  it.each<[string, string, string]>([
    [
      'an ESC sequence (OSC 52, clipboard)',
      '\u001b]52;c;ZXZpbA==\u0007',
      '\\x1b]52;c;ZXZpbA==\\x07',
    ],
    ['a C1 CSI', '\u009b2J', '\\x9b2J'],
    ['a line separator', 'ok\u2028node02: forged', 'ok\\u2028node02: forged'],
    ['a bidi override', 'ok \u202eko', 'ok \\u202eko'],
  ])('escapes %s in text', (_name, printed, shown) => {
    expect(formatLine('text', { ...line, line: printed }, 'node01')).toBe(`node01: ${shown}\n`);
  });

  it('writes NDJSON as the OutputLine itself, one per line', () => {
    const text = formatLine('ndjson', { ...line, line: 'a\nb' }, 'node01');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(text)).toEqual({ ...line, line: 'a\nb' });
  });
});

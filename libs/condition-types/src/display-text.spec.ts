import { escapeControls, hasControls } from './display-text';

describe('escapeControls', () => {
  it.each<[string, string, string]>([
    ['a carriage return faking another node', 'ok\rnode07: ok', 'ok\\rnode07: ok'],
    ['a line feed', 'a\nnode07: b', 'a\\nnode07: b'],
    ['ESC of a colour', '\u001b[31mred', '\\x1b[31mred'],
    ['an OSC 52 clipboard write', '\u001b]52;c;ZXZpbA==\u0007', '\\x1b]52;c;ZXZpbA==\\x07'],
    ['a title change', '\u001b]0;pwned\u001b\\', '\\x1b]0;pwned\\x1b\\'],
    ['NUL and DEL', 'a\u0000b\u007f', 'a\\x00b\\x7f'],
    ['a C1 CSI', '\u009b2J', '\\x9b2J'],
    ['NEL (C1 next line)', 'a\u0085b', 'a\\x85b'],
    ['the line separator', 'a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
    ['a right-to-left override', 'exe.\u202etxt', 'exe.\\u202etxt'],
    [
      'bidi isolates and marks',
      '\u2066\u2069\u200e\u200f\u061c',
      '\\u2066\\u2069\\u200e\\u200f\\u061c',
    ],
    ['backspace, form feed and vertical tab', '\b\f\v', '\\b\\f\\v'],
  ])('shows %s visibly', (_name, input, shown) => {
    expect(escapeControls(input)).toBe(shown);
    expect(hasControls(input)).toBe(true);
  });

  it.each(['plain text', 'tab\tseparated', 'üñíçødé, 日本語, emoji 🙂', 'C:\\path\\x1b'])(
    'leaves %j as it is',
    (text) => {
      expect(escapeControls(text)).toBe(text);
      expect(hasControls(text)).toBe(false);
    },
  );

  it('keeps line feeds when asked, and still escapes a carriage return', () => {
    expect(escapeControls('a\r\nb\n', { keepNewlines: true })).toBe('a\\r\nb\n');
  });

  it('writes \\uXXXX in JSON form, which JSON reads back as the same characters', () => {
    const value = { line: 'a\u009b31m\u2028\u202eb\u001b' };
    const json = escapeControls(JSON.stringify(value), { form: 'json', keepNewlines: true });
    expect(json).toBe('{"line":"a\\u009b31m\\u2028\\u202eb\\u001b"}');
    expect(JSON.parse(json)).toEqual(value);
  });
});

import { signedBytes } from './canonical';

// The bytes a MAC covers: RFC 8785 JSON of the record without its signature, after the scheme and
// the key id. Two writers that hold the same record must produce the same bytes.

const KID = '0123456789abcdef';
const text = (record: object) => signedBytes(KID, record).toString('utf8');
const body = (record: object) => text(record).split('\n').slice(2).join('\n');

describe('signedBytes', () => {
  it('starts with the scheme and the key id, then the record', () => {
    expect(text({ id: 'x' })).toBe(`switchboard condition v1\n${KID}\n{"id":"x"}`);
  });

  it.each<[string, object, object]>([
    ['top-level fields', { b: 1, a: 2, c: 3 }, { c: 3, a: 2, b: 1 }],
    [
      'nested parameters',
      { parameters: { command: 'x', arguments: ['1'], extra: { z: 1, y: [{ q: 1, p: 2 }] } } },
      { parameters: { extra: { y: [{ p: 2, q: 1 }], z: 1 }, arguments: ['1'], command: 'x' } },
    ],
    ['an absent field and an undefined one', { a: 1 }, { a: 1, b: undefined }],
    ['a signature or none', { a: 1 }, { a: 1, signature: { v: 1, kid: KID, mac: 'x' } }],
    [
      'the record and its JSON round trip',
      { n: 1e21, s: 'é' },
      JSON.parse('{"s":"\\u00e9","n":1e21}'),
    ],
  ])('gives the same bytes whatever the order or spelling: %s', (_name, one, other) => {
    expect(text(one)).toBe(text(other));
  });

  it.each<[string, object, string]>([
    [
      'keys sorted by UTF-16 code units',
      { b: 1, a: 1, B: 1, é: 1, '😀': 1, ﬀ: 1 },
      '{"B":1,"a":1,"b":1,"é":1,"😀":1,"ﬀ":1}',
    ],
    ['array order kept', { a: [3, 1, 2] }, '{"a":[3,1,2]}'],
    [
      'no whitespace, unicode as itself',
      { s: 'nœud 🔌 "q" \\ \t' },
      '{"s":"nœud 🔌 \\"q\\" \\\\ \\t"}',
    ],
    ['control characters escaped', { s: '\u0001\n' }, '{"s":"\\u0001\\n"}'],
    [
      'numbers as ECMAScript prints them',
      { a: 1.5, b: -0, c: 1e-7, d: 100 },
      '{"a":1.5,"b":0,"c":1e-7,"d":100}',
    ],
    ['null and booleans', { a: null, b: true, c: false }, '{"a":null,"b":true,"c":false}'],
  ])('is RFC 8785 JSON: %s', (_name, record, json) => {
    expect(body(record)).toBe(json);
  });

  it.each<[string, object, object]>([
    ['a value', { a: '1' }, { a: 1 }],
    ['array order', { a: [1, 2] }, { a: [2, 1] }],
    ['a nested value', { p: { q: { r: 'x' } } }, { p: { q: { r: 'y' } } }],
    ['NFC and NFD forms of the same letter', { s: '\u00e9' }, { s: 'e\u0301' }],
    ['a string and the same text split across two fields', { a: 'bc' }, { ab: 'c' }],
    ['null and absent', { a: null }, {}],
  ])('gives other bytes for another record: %s', (_name, one, other) => {
    expect(text(one)).not.toBe(text(other));
  });

  it('refuses numbers JSON cannot hold rather than signing something else', () => {
    expect(() => signedBytes(KID, { a: NaN })).toThrow(/NaN/);
    expect(() => signedBytes(KID, { a: Infinity })).toThrow(/Infinity/);
  });
});

import canonicalize from 'canonicalize';

/** Separates these MACs from any other use of the same key, and names the scheme's version. */
const DOMAIN = 'switchboard condition v1';

/**
 * The bytes a condition's MAC covers: the scheme, the key id, and the record without its
 * `signature`, as RFC 8785 JSON (keys sorted by UTF-16 code units, no whitespace, numbers and
 * strings as ECMAScript prints them). So the same record gives the same bytes whatever order
 * its fields were written in, and JSON that decodes to the same value gives the same bytes too.
 * Strings are not Unicode-normalised: "é" and "e" + U+0301 are different records.
 */
export function signedBytes(kid: string, record: object): Buffer {
  const { signature: _signature, ...rest } = record as { signature?: unknown };
  const json = canonicalize(rest);
  if (json === undefined) throw new Error('a condition record must be a JSON object');
  return Buffer.from(`${DOMAIN}\n${kid}\n${json}`, 'utf8');
}

const CHUNKS = /\d+|\D+/g;

function isDigits(chunk: string): boolean {
  return chunk.charCodeAt(0) >= 48 && chunk.charCodeAt(0) <= 57;
}

/**
 * Compares two runs of digits by value without converting them to numbers, so
 * 20-digit serial numbers still sort correctly. Equal values order the less
 * padded spelling first (`1` before `01`).
 */
export function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length - y.length;
  if (x !== y) return x < y ? -1 : 1;
  return a.length - b.length;
}

/** Orders names the way operators read them: node2 before node10. */
export function compareNatural(a: string, b: string): number {
  const ca = a.match(CHUNKS) ?? [];
  const cb = b.match(CHUNKS) ?? [];
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    const x = ca[i];
    const y = cb[i];
    if (x === y) continue;
    if (isDigits(x) && isDigits(y)) {
      const c = compareDigits(x, y);
      if (c !== 0) return c;
      continue;
    }
    return x < y ? -1 : 1;
  }
  return ca.length - cb.length;
}

/**
 * Node-range expressions in the pdsh / ClusterShell dialect operators already
 * type every day: `node[01-10]`, `rack1-n[001-128]`, `r[1-2]n[1-4]`,
 * `node01,node[03-04]`, `@gpu`.
 */

/** Guard against a typo such as `node[1-1000000000]` eating the process's memory. */
export const MAX_RANGE_SIZE = 100_000;
/**
 * Longest zero padding a range may ask for (`node[0001-0010]` pads to 4). With no cap,
 * `n[000…01-100000]` padded a hundred thousand names to 4 KB each: 400 MB from 30 bytes.
 */
export const MAX_PAD_WIDTH = 20;
/** Longest name an expression may make: a DNS name's 253 characters. */
export const MAX_NAME_LENGTH = 253;

export class RangeExpressionError extends Error {
  constructor(
    readonly expression: string,
    readonly reason: string,
  ) {
    super(`invalid node range "${expression}": ${reason}`);
    this.name = 'RangeExpressionError';
  }
}

/** Looks up the member names of `@name`; the caller decides what an unknown group means. */
export type GroupResolver = (group: string) => readonly string[];

const LITERAL_CHAR = /[A-Za-z0-9._-]/;
const TERM = /^(\d+)(?:-(\d+)(?:\/(\d+))?)?$/;

interface NumberTerm {
  lo: number;
  hi: number;
  step: number;
  width: number;
}

type Segment = string | NumberTerm[];

/**
 * Expands a range expression into names, in the order written, without
 * duplicates. It needs no inventory, so `@group` items are rejected; use
 * `Inventory.resolve` for those.
 */
export function expandRange(expr: string): string[] {
  return expandExpression(expr, (group) => {
    throw new RangeExpressionError(
      expr,
      `group reference "@${group}" needs an inventory to resolve`,
    );
  });
}

export interface ExpandOptions {
  /**
   * At most this many names (default and ceiling MAX_RANGE_SIZE), checked from the
   * expression itself before anything is expanded; groups' members are counted as they come.
   */
  limit?: number;
}

interface Item {
  isGroup: boolean;
  segments: Segment[];
}

export function expandExpression(
  expr: string,
  resolveGroup: GroupResolver,
  options: ExpandOptions = {},
): string[] {
  return [...generateNames(expr, resolveGroup, options)];
}

/**
 * The names of an expression one at a time, in the order written, without duplicates: a
 * caller that stops early (the first name a token may not touch) pays for no more. The
 * whole expression is parsed and its size checked against the limit before the first name.
 */
export function* generateNames(
  expr: string,
  resolveGroup: GroupResolver,
  options: ExpandOptions = {},
): Generator<string> {
  const limit = Math.min(options.limit ?? MAX_RANGE_SIZE, MAX_RANGE_SIZE);
  const items = parseExpression(expr);
  let total = 0;
  for (const item of items) {
    total += countNames(item.segments, limit);
    if (total > limit) throw new RangeExpressionError(expr, `expands to more than ${limit} names`);
  }
  const seen = new Set<string>();
  for (const { isGroup, segments } of items) {
    for (const name of generate(segments)) {
      for (const member of isGroup ? resolveGroup(name) : [name]) {
        if (seen.has(member)) continue;
        seen.add(member);
        if (seen.size > limit)
          throw new RangeExpressionError(expr, `expands to more than ${limit} names`);
        yield member;
      }
    }
  }
}

/** How many names the expression makes at most (duplicates counted), without making them. */
export function countExpression(expr: string): number {
  return parseExpression(expr).reduce(
    (sum, item) => sum + countNames(item.segments, MAX_RANGE_SIZE),
    0,
  );
}

function parseExpression(expr: string): Item[] {
  if (expr.trim() === '') throw new RangeExpressionError(expr, 'the expression is empty');
  return splitTopLevel(expr).map((raw) => {
    const item = raw.trim();
    if (item === '') throw new RangeExpressionError(expr, 'empty item between commas');
    const isGroup = item.startsWith('@');
    const segments = parsePattern(expr, isGroup ? item.slice(1) : item);
    const length = nameLength(segments);
    if (length > MAX_NAME_LENGTH)
      throw new RangeExpressionError(
        expr,
        `"${clipped(item)}" makes names of ${length} characters; at most ${MAX_NAME_LENGTH}`,
      );
    return { isGroup, segments };
  });
}

function clipped(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** The longest name the segments make. */
function nameLength(segments: Segment[]): number {
  let length = 0;
  for (const s of segments) {
    length +=
      typeof s === 'string'
        ? s.length
        : Math.max(...s.map((t) => Math.max(t.width, String(t.hi).length)));
  }
  return length;
}

function splitTopLevel(expr: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (c === '[') {
      if (depth > 0) throw new RangeExpressionError(expr, `nested '[' at position ${i + 1}`);
      depth++;
    } else if (c === ']') {
      if (depth === 0) throw new RangeExpressionError(expr, `unbalanced ']' at position ${i + 1}`);
      depth--;
    } else if (c === ',' && depth === 0) {
      items.push(expr.slice(start, i));
      start = i + 1;
    }
  }
  if (depth > 0) throw new RangeExpressionError(expr, "unclosed '['");
  items.push(expr.slice(start));
  return items;
}

function parsePattern(expr: string, pattern: string): Segment[] {
  if (pattern === '') throw new RangeExpressionError(expr, "'@' must be followed by a group name");
  const segments: Segment[] = [];
  let literal = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '[') {
      const close = pattern.indexOf(']', i);
      if (literal !== '') segments.push(literal);
      literal = '';
      segments.push(parseBracket(expr, pattern.slice(i + 1, close)));
      i = close + 1;
      continue;
    }
    if (!LITERAL_CHAR.test(c)) {
      const shown = /\s/.test(c) ? 'whitespace' : `character '${c}'`;
      throw new RangeExpressionError(expr, `unexpected ${shown} in "${pattern}"`);
    }
    literal += c;
    i++;
  }
  if (literal !== '') segments.push(literal);
  return segments;
}

function parseBracket(expr: string, body: string): NumberTerm[] {
  if (body.trim() === '') throw new RangeExpressionError(expr, "empty '[]'");
  return body.split(',').map((raw) => {
    const term = raw.trim();
    const m = TERM.exec(term);
    if (!m) throw new RangeExpressionError(expr, `"${term}" is not a number or a range like 1-10`);
    const lo = toSafeNumber(expr, m[1]);
    const hi = m[2] === undefined ? lo : toSafeNumber(expr, m[2]);
    const step = m[3] === undefined ? 1 : toSafeNumber(expr, m[3]);
    if (hi < lo) throw new RangeExpressionError(expr, `descending range ${m[1]}-${m[2]}`);
    if (step === 0) throw new RangeExpressionError(expr, `step 0 in "${term}"`);
    // pdsh and ClusterShell take the padding from the lower bound as written.
    const width = m[1].length > 1 && m[1].startsWith('0') ? m[1].length : 0;
    if (width > MAX_PAD_WIDTH)
      throw new RangeExpressionError(
        expr,
        `"${clipped(term)}" pads numbers to ${width} digits; at most ${MAX_PAD_WIDTH}`,
      );
    return { lo, hi, step, width };
  });
}

function toSafeNumber(expr: string, digits: string): number {
  const n = Number(digits);
  if (!Number.isSafeInteger(n))
    throw new RangeExpressionError(expr, `number ${digits} is too large`);
  return n;
}

function termSize(t: NumberTerm): number {
  return Math.floor((t.hi - t.lo) / t.step) + 1;
}

function countNames(segments: Segment[], limit: number): number {
  let total = 1;
  for (const s of segments) {
    if (typeof s === 'string') continue;
    total *= s.reduce((sum, t) => sum + termSize(t), 0);
    // Stop early so the product cannot overflow into nonsense.
    if (total > limit) return total;
  }
  return total;
}

function* generate(segments: Segment[], index = 0, prefix = ''): Generator<string> {
  if (index === segments.length) {
    yield prefix;
    return;
  }
  const s = segments[index];
  if (typeof s === 'string') {
    yield* generate(segments, index + 1, prefix + s);
    return;
  }
  for (const t of s) {
    for (let n = t.lo; n <= t.hi; n += t.step) {
      yield* generate(segments, index + 1, prefix + String(n).padStart(t.width, '0'));
    }
  }
}

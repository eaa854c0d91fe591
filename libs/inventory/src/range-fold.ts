import { compareDigits, compareNatural } from './natural-compare';

interface Run {
  start: string;
  end: string;
  last: number;
  width: number;
}

interface Shape {
  suffix: string;
  ranges: string;
  single: boolean;
  prefixes: string[];
}

const LAST_NUMBER = /^(.*?)(\d+)(\D*)$/;

/**
 * Folds names back into the shortest range expression `expandRange` turns
 * into the same set: `node01,node02,node03,node05` → `node[01-03,05]`, and
 * `r1n1,r1n2,r2n1,r2n2` → `r[1-2]n[1-2]`. Output is sorted naturally.
 */
export function foldNames(names: Iterable<string>): string {
  return foldParts([...new Set(names)]).join(',');
}

function foldParts(names: string[]): string[] {
  const plain: string[] = [];
  const byAffix = new Map<string, { prefix: string; suffix: string; digits: string[] }>();
  for (const name of names) {
    const m = LAST_NUMBER.exec(name);
    if (!m) {
      plain.push(name);
      continue;
    }
    const [, prefix, digits, suffix] = m;
    const key = `${prefix}\u0000${suffix}`;
    const entry = byAffix.get(key) ?? { prefix, suffix, digits: [] };
    entry.digits.push(digits);
    byAffix.set(key, entry);
  }

  // Names that differ only in an earlier number (r1n1..r2n2) end up with the
  // same ranges and suffix; folding their prefixes adds the second dimension.
  const shapes = new Map<string, Shape>();
  for (const { prefix, suffix, digits } of byAffix.values()) {
    const ranges = foldDigits(digits);
    const key = `${suffix}\u0000${ranges}`;
    const shape = shapes.get(key) ?? { suffix, ranges, single: digits.length === 1, prefixes: [] };
    shape.prefixes.push(prefix);
    shapes.set(key, shape);
  }

  const out = [...plain];
  for (const shape of shapes.values()) {
    const prefixes = shape.prefixes.length > 1 ? foldParts(shape.prefixes) : shape.prefixes;
    const body = shape.single ? shape.ranges : `[${shape.ranges}]`;
    for (const prefix of prefixes) out.push(prefix + body + shape.suffix);
  }
  return out.sort(compareNatural);
}

/** `['01','02','03','05']` → `01-03,05`, keeping each spelling's padding. */
function foldDigits(digits: string[]): string {
  const sorted = [...digits].sort(compareDigits);
  const runs: Run[] = [];
  // Open runs keyed by the next spelling they would accept, so `1,01,2,02`
  // folds to `1-2,01-02` rather than four singletons.
  const open = new Map<string, Run>();
  for (const d of sorted) {
    const value = Number(d);
    let run = open.get(d);
    if (run) {
      open.delete(d);
      run.end = d;
      run.last = value;
    } else {
      run = {
        start: d,
        end: d,
        last: value,
        width: d.length > 1 && d.startsWith('0') ? d.length : 0,
      };
      runs.push(run);
    }
    if (Number.isSafeInteger(value)) open.set(nextSpelling(run), run);
  }
  return runs
    .sort((a, b) => compareDigits(a.start, b.start))
    .map((r) => (r.start === r.end ? r.start : `${r.start}-${r.end}`))
    .join(',');
}

function nextSpelling(run: Run): string {
  return String(run.last + 1).padStart(run.width, '0');
}

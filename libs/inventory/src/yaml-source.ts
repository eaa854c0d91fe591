import {
  Document,
  LineCounter,
  Node,
  Scalar,
  YAMLMap,
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
} from 'yaml';
import { IssueList } from './inventory-error';

/** A map entry with its key as text, its value with aliases followed, and the key's line. */
export interface Entry {
  key: string;
  line: number;
  value: Node | null;
}

export interface Where {
  node?: string;
  field?: string;
}

/**
 * Walks a parsed YAML document while keeping line numbers, so every problem can
 * point at the line to fix. Anchors, aliases and `<<` merge keys are followed
 * because OpenFlight files written for Ruby's YAML loader use them.
 */
export class YamlSource {
  private readonly merging = new Set<YAMLMap>();

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  lineOf(node: Node | null | undefined, fallback: number): number {
    const start = node?.range?.[0];
    return start === undefined ? fallback : this.lines.linePos(start).line;
  }

  deref(node: unknown): Node | null {
    const target = isAlias(node) ? node.resolve(this.doc) : node;
    return isNode(target) ? target : null;
  }

  /** Entries in written order; own keys win over merged ones, as YAML merge keys define. */
  entries(map: YAMLMap, issues: IssueList, where: Where): Entry[] {
    this.merging.add(map);
    try {
      return this.collect(map, issues, where);
    } finally {
      this.merging.delete(map);
    }
  }

  private collect(map: YAMLMap, issues: IssueList, where: Where): Entry[] {
    const own: Entry[] = [];
    const ordered: Array<Entry & { merged: boolean }> = [];
    for (const pair of map.items) {
      const key = this.deref(pair.key);
      const line = this.lineOf(key, this.lineOf(map, 0));
      if (isScalar(key) && key.type === Scalar.PLAIN && key.source === '<<') {
        for (const entry of this.mergedEntries(pair.value, line, issues, where))
          ordered.push({ ...entry, merged: true });
        continue;
      }
      if (!isScalar(key) || key.value === null || typeof key.value === 'object') {
        issues.add(line, 'expected a plain name as a key', where);
        continue;
      }
      const entry = { key: scalarText(key), line, value: this.deref(pair.value) };
      own.push(entry);
      ordered.push({ ...entry, merged: false });
    }
    const taken = new Set(own.map((e) => e.key));
    return ordered
      .filter((e) => {
        if (!e.merged) return true;
        if (taken.has(e.key)) return false;
        taken.add(e.key);
        return true;
      })
      .map(({ key, line, value }) => ({ key, line, value }));
  }

  private mergedEntries(value: unknown, line: number, issues: IssueList, where: Where): Entry[] {
    const source = this.deref(value);
    const maps = isSeq(source) ? source.items.map((item) => this.deref(item)) : [source];
    const out: Entry[] = [];
    for (const m of maps) {
      if (isMap(m) && this.merging.has(m))
        issues.add(line, 'a merge key (<<) refers to the map that contains it', where);
      else if (isMap(m)) out.push(...this.entries(m, issues, where));
      else issues.add(line, 'a merge key (<<) must refer to a map or a list of maps', where);
    }
    return out;
  }
}

/** True for a missing value or an empty/`~`/`null` scalar. */
export function isNothing(node: Node | null): boolean {
  return node === null || (isScalar(node) && node.value === null);
}

/**
 * A scalar as the operator wrote it: `0123` stays `0123`, `1.50` stays
 * `1.50`, since these become environment variables for shell commands and
 * YAML's number parsing would change them.
 */
export function scalarText(node: Scalar): string {
  if (typeof node.value === 'string') return node.value;
  if (node.value === null || node.value === undefined) return '';
  return node.source ?? String(node.value);
}

/** How a value looks, for "expected X, got Y" messages. `withValue: false` for secrets. */
export function describe(node: Node | null, withValue = true): string {
  if (isNothing(node)) return 'nothing';
  if (isMap(node)) return 'a map';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    if (scalarText(node) === '') return 'an empty string';
    if (!withValue) return `a ${typeof node.value === 'string' ? 'string' : typeof node.value}`;
    const text = scalarText(node);
    return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
  }
  return 'an unsupported value';
}

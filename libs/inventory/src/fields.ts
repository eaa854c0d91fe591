import { isScalar, isSeq } from 'yaml';
import { IssueList } from './inventory-error';
import { Entry, Where, YamlSource, describe, isNothing, scalarText } from './yaml-source';

/** Typed readers for single fields; each reports a problem and returns undefined. */
export class FieldReader {
  constructor(
    readonly source: YamlSource,
    readonly issues: IssueList,
  ) {}

  line(entry: Entry): number {
    return this.source.lineOf(entry.value, entry.line);
  }

  /** Any non-empty scalar, as written. `secret` keeps the value out of the message. */
  text(entry: Entry, where: Where, what = 'a string', secret = false): string | undefined {
    const v = entry.value;
    if (isScalar(v) && !isNothing(v) && typeof v.value !== 'object') {
      const text = scalarText(v);
      if (text !== '') return text;
    }
    this.issues.add(this.line(entry), `expected ${what}, got ${describe(v, !secret)}`, where);
    return undefined;
  }

  integer(entry: Entry, where: Where, min: number, max: number, what: string): number | undefined {
    const v = entry.value;
    const text = isScalar(v) && typeof v.value !== 'object' ? scalarText(v).trim() : undefined;
    // Quoted digits are accepted too: operators quote values "just in case".
    const n = text !== undefined && /^\d+$/.test(text) ? Number(text) : NaN;
    if (Number.isInteger(n) && n >= min && n <= max) return n;
    this.issues.add(this.line(entry), `expected ${what} ${min}-${max}, got ${describe(v)}`, where);
    return undefined;
  }

  stringList(
    entry: Entry,
    where: Where,
    pattern?: { test: RegExp; what: string },
  ): string[] | undefined {
    const seq = entry.value;
    if (isNothing(seq)) return [];
    if (!isSeq(seq)) {
      this.issues.add(this.line(entry), `expected a list, got ${describe(seq)}`, where);
      return undefined;
    }
    const out: string[] = [];
    let ok = true;
    for (const raw of seq.items) {
      const item = this.source.deref(raw);
      const line = this.source.lineOf(item, this.line(entry));
      if (
        !isScalar(item) ||
        isNothing(item) ||
        typeof item.value === 'object' ||
        scalarText(item) === ''
      ) {
        this.issues.add(line, `expected a list of names, got ${describe(item)} in the list`, where);
        ok = false;
        continue;
      }
      const text = scalarText(item);
      if (pattern && !pattern.test.test(text)) {
        this.issues.add(line, `${JSON.stringify(text)} is not ${pattern.what}`, where);
        ok = false;
        continue;
      }
      out.push(text);
    }
    return ok ? out : undefined;
  }
}

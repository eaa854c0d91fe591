import { Document, LineCounter, Node, isMap, isNode, isScalar } from 'yaml';

/**
 * Turns a path into a parsed YAML document (as a zod issue gives it) back into a line number,
 * so a problem says where to look, not only what is wrong.
 */
export class YamlLines {
  constructor(
    private readonly doc: Document,
    private readonly counter: LineCounter,
  ) {}

  /**
   * Line of the value at `path`; for a key that is missing, the line of the nearest map above
   * it that exists (the place the key should go). Undefined only for an empty document.
   */
  valueLine(path: readonly PropertyKey[]): number | undefined {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = this.nodeAt(path.slice(0, depth));
      const line = this.lineOf(node);
      if (line !== undefined) return line;
    }
    return undefined;
  }

  /** Line of the key `key` in the map at `path` (for unknown keys: the key itself is the fault). */
  keyLine(path: readonly PropertyKey[], key: string): number | undefined {
    const parent = this.nodeAt(path);
    if (isMap(parent)) {
      const pair = parent.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === key,
      );
      const line = pair && isNode(pair.key) ? this.lineOf(pair.key) : undefined;
      if (line !== undefined) return line;
    }
    return this.valueLine(path);
  }

  /** Line of a byte offset, for parser errors that carry only their position. */
  lineAt(offset: number): number {
    return this.counter.linePos(offset).line;
  }

  private nodeAt(path: readonly PropertyKey[]): unknown {
    if (path.length === 0) return this.doc.contents;
    return this.doc.getIn(path as unknown[], true);
  }

  private lineOf(node: unknown): number | undefined {
    const start = isNode(node) ? (node as Node).range?.[0] : undefined;
    return start === undefined ? undefined : this.lineAt(start);
  }
}

/** One problem found in an inventory file. `line` is 1-based; 0 means the whole file. */
export interface InventoryIssue {
  line: number;
  node?: string;
  field?: string;
  message: string;
}

export function formatIssue(file: string, issue: InventoryIssue): string {
  const where = issue.line > 0 ? `${file}:${issue.line}` : file;
  const node = issue.node === undefined ? '' : `node "${issue.node}": `;
  const field = issue.field === undefined ? '' : `field "${issue.field}": `;
  return `${where}: ${node}${field}${issue.message}`;
}

/**
 * Every problem found in one inventory file, earliest line first, so an
 * operator fixes them in one edit instead of one reload per typo. The top-level
 * fields repeat the first issue for callers that only show one. Messages never
 * contain a BMC password.
 */
export class InventoryError extends Error {
  readonly line: number;
  readonly node?: string;
  readonly field?: string;
  readonly issues: readonly InventoryIssue[];

  constructor(
    readonly file: string,
    issues: readonly InventoryIssue[],
  ) {
    if (issues.length === 0) throw new TypeError('InventoryError needs at least one issue');
    const sorted = [...issues].sort((a, b) => a.line - b.line);
    super(sorted.map((i) => formatIssue(file, i)).join('\n'));
    this.name = 'InventoryError';
    this.issues = sorted;
    this.line = sorted[0].line;
    if (sorted[0].node !== undefined) this.node = sorted[0].node;
    if (sorted[0].field !== undefined) this.field = sorted[0].field;
  }
}

/** Collects issues while a file is walked, then throws them together. */
export class IssueList {
  private readonly issues: InventoryIssue[] = [];

  add(line: number, message: string, where: { node?: string; field?: string } = {}): void {
    const issue: InventoryIssue = { line, message };
    if (where.node !== undefined) issue.node = where.node;
    if (where.field !== undefined) issue.field = where.field;
    this.issues.push(issue);
  }

  get count(): number {
    return this.issues.length;
  }

  throwIfAny(file: string): void {
    if (this.issues.length > 0) throw new InventoryError(file, this.issues);
  }
}

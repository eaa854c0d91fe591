import type { OutputLine } from '@switchboard/condition-types';

/**
 * The lines of each condition, kept for the folded and JSON reports (the live ones are printed and
 * forgotten).
 */
export class CapturedOutput {
  private readonly lines = new Map<string, string[]>();

  add(line: Pick<OutputLine, 'conditionId' | 'line'>): void {
    const list = this.lines.get(line.conditionId);
    if (list) list.push(line.line);
    else this.lines.set(line.conditionId, [line.line]);
  }

  /** Both streams, in the order the node printed them (as `2>&1` would). */
  of(conditionId: string | undefined): string[] {
    return (conditionId && this.lines.get(conditionId)) || [];
  }
}

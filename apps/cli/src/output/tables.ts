import type TableClass from 'cli-table3';

/** A borderless, left-aligned table that reads well in a terminal and greps well in a pipe. */
export function renderTable(head: string[], rows: string[][]): string {
  // Required on first use: only a few commands print tables, and every other run
  // (power, boot, --help) should not pay for loading cli-table3 at start-up.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Table = require('cli-table3') as typeof TableClass;
  const table = new Table({
    head,
    style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 2 },
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '',
    },
  });
  table.push(...rows);
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

import type { OutputLine } from '@switchboard/condition-types';

import { CONTENT_TYPES } from '../streaming/stream-answer';

export type OutputFormat = keyof typeof CONTENT_TYPES;

/** NDJSON when the client asks for it by `Accept`; plain text, for people and curl, otherwise. */
export function outputFormat(accept: string | undefined): OutputFormat {
  return accept !== undefined && /(^|,)\s*application\/x-ndjson\s*(;|,|$)/i.test(accept)
    ? 'ndjson'
    : 'text';
}

/**
 * One line of the answer. Text: the line as printed, after `server: ` when several
 * conditions are followed (pdsh's and OpenFlight's way of telling nodes apart). A line
 * break inside a line is shown escaped, so a script cannot print a line that looks as
 * if another node had printed it. NDJSON: the `OutputLine` itself.
 */
export function formatLine(
  format: OutputFormat,
  line: OutputLine,
  prefix: string | undefined,
): string {
  if (format === 'ndjson') return `${JSON.stringify(line)}\n`;
  const text = line.line.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
  return prefix === undefined ? `${text}\n` : `${prefix}: ${text}\n`;
}

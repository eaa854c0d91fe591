import { escapeControls, type OutputLine } from '@switchboard/condition-types';

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
 * conditions are followed (pdsh's and OpenFlight's way of telling nodes apart). Line
 * breaks, carriage returns, escape sequences, C1 controls, line separators and bidi
 * overrides are shown escaped (`\r`, `\x1b`), so a script can neither print a line that
 * looks as if another node had printed it nor drive the reader's terminal. NDJSON: the
 * `OutputLine` itself, for programs (its reader decides how to show it).
 */
export function formatLine(
  format: OutputFormat,
  line: OutputLine,
  prefix: string | undefined,
): string {
  if (format === 'ndjson') return `${JSON.stringify(line)}\n`;
  const text = escapeControls(line.line);
  return prefix === undefined ? `${text}\n` : `${prefix}: ${text}\n`;
}

/** Tool output that ends up in errors: trimmed, and cut so one noisy tool cannot flood a record. */
export const MAX_DETAIL_CHARS = 2000;
export const MAX_REASON_CHARS = 200;

export function bounded(text: string, max = MAX_DETAIL_CHARS): string {
  const trimmed = text.trim();
  if (trimmed.length <= max) return trimmed;
  return `${trimmed.slice(0, max)}… (${trimmed.length - max} more characters)`;
}

/** The last non-empty line: tools print their verdict last ("Error: …"). */
export function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return bounded(lines.at(-1) ?? '', MAX_REASON_CHARS);
}

/** Belt and braces: no secret we hold is echoed back, even if a tool or script prints it. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/** Output as tools are usually read: without the newline that ends their last line. */
export function withoutFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

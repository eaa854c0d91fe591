/** Longest message or echoed value we put in an answer or a log line. */
const MAX_TEXT = 500;

/** Shortens user-supplied text (a 5000-character path segment) before it is echoed back. */
export function clip(text: string, max = MAX_TEXT): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

/** A user-supplied value quoted for a message: clipped, control characters escaped. */
export function quote(value: string, max = 100): string {
  return JSON.stringify(clip(value, max));
}

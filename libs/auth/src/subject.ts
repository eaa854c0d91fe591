/** Longest token subject accepted: it is stored on every condition and written to every log line. */
export const MAX_SUBJECT_LENGTH = 200;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Why `value` cannot be a token subject, or undefined when it can. */
export function subjectProblem(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return 'token has no subject (sub)';
  if (typeof value !== 'string') return 'token subject (sub) is not a string';
  if (value.length > MAX_SUBJECT_LENGTH)
    return `token subject (sub) is longer than ${MAX_SUBJECT_LENGTH} characters`;
  if (CONTROL.test(value)) return 'token subject (sub) contains control characters';
  return undefined;
}

/**
 * Longest token subject accepted: it is stored on every condition and written to every log line.
 */
export const MAX_SUBJECT_LENGTH = 200;

/**
 * What a subject may be spelt with: a user or service name, an e-mail address, a
 * `team:robot` name. No spaces, quotes, control or format characters (a line break or a
 * bidi override in a subject would forge log lines and `cancelled by` messages).
 */
const SUBJECT = /^[A-Za-z0-9][A-Za-z0-9._@+:-]*$/;

/** Names the API itself writes for callers without a token: no token may claim them. */
export const RESERVED_SUBJECTS: readonly string[] = ['anonymous'];

/** Why `value` cannot be a token subject, or undefined when it can. */
export function subjectProblem(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return 'token has no subject (sub)';
  if (typeof value !== 'string') return 'token subject (sub) is not a string';
  if (value.length > MAX_SUBJECT_LENGTH)
    return `token subject (sub) is longer than ${MAX_SUBJECT_LENGTH} characters`;
  if (!SUBJECT.test(value))
    return (
      'token subject (sub) must start with a letter or digit and hold only letters, digits' +
      ' and . _ @ + : -'
    );
  if (RESERVED_SUBJECTS.includes(value.toLowerCase()))
    return `token subject (sub) ${JSON.stringify(value)} is reserved`;
  return undefined;
}

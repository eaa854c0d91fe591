import { z } from 'zod';

import { parseTimeout } from './duration';

/**
 * Five minutes: long enough for a slow BMC or cloud API, short enough that a hung script is
 * noticed.
 */
export const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/** The only placeholder OpenFlight Action fills in a confirmation question. */
const PLACEHOLDER = /%\{([^}]*)\}/g;
const KNOWN_PLACEHOLDERS = new Set(['nodes']);

/** How a YAML value reads in a message: the type a person wrote, not JavaScript's. */
function kind(input: unknown): string {
  if (input === undefined || input === null) return 'nothing';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a map';
  return `${typeof input === 'string' ? 'text' : `a ${typeof input}`} (${JSON.stringify(input)})`;
}

function text(what: string) {
  return z.string({
    error: (issue) =>
      issue.input == null ? `${what} is required` : `expected text, got ${kind(issue.input)}`,
  });
}

/**
 * Optional text: an empty YAML value (`syntax:`) reads as "not given", as Ruby's loader lets it.
 */
const optionalText = z
  .string({ error: (issue) => `expected text, got ${kind(issue.input)}` })
  .nullish()
  .transform((value) => value ?? undefined);

const flag = z.boolean({ error: (issue) => `expected true or false, got ${kind(issue.input)}` });

function map(what: string) {
  // Returning undefined keeps zod's own message for other codes (unknown keys are reworded later).
  return (issue: { code?: string; input?: unknown }) =>
    issue.code === 'invalid_type'
      ? issue.input === undefined
        ? `${what} is required`
        : `expected a map, got ${kind(issue.input)}`
      : undefined;
}

const timeout = z
  .union([z.number(), z.string()], {
    error: (issue) => `expected seconds or a duration like 5m, got ${kind(issue.input)}`,
  })
  .transform((value, ctx) => {
    const ms = parseTimeout(value);
    if (typeof ms === 'number') return ms;
    ctx.addIssue({ code: 'custom', message: ms.error });
    return z.NEVER;
  });

const confirmation = optionalText.superRefine((question, ctx) => {
  for (const [, name] of question?.matchAll(PLACEHOLDER) ?? []) {
    if (!KNOWN_PLACEHOLDERS.has(name)) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown placeholder %{${name}}; the only one is %{nodes}`,
      });
    }
  }
});

/**
 * metadata.yaml of one command: OpenFlight Action's `help` section and `confirmation`, plus
 * Switchboard's `timeout` and `concurrent`. Strict, so a misspelt key (`has_contex`) is an
 * error instead of a default quietly taking its place.
 */
export const Metadata = z.strictObject(
  {
    help: z.strictObject(
      {
        summary: text('help.summary').trim().min(1, { error: 'must not be empty' }),
        description: optionalText,
        syntax: optionalText,
        has_context: flag.default(true),
      },
      { error: map('help (with at least help.summary)') },
    ),
    confirmation,
    timeout: timeout.optional(),
    concurrent: flag.default(false),
  },
  { error: map('a map with at least help.summary') },
);
export type Metadata = z.infer<typeof Metadata>;

/** Known keys per map, for "unknown key" messages that say what was meant instead. */
export const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': ['help', 'confirmation', 'timeout', 'concurrent'],
  help: ['summary', 'description', 'syntax', 'has_context'],
};

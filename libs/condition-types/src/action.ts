import { z } from 'zod';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;

/**
 * One argument ($1...). No NUL (no argument can hold one: the script would fail to start)
 * and no other control character but tab: a line feed or an escape sequence in an
 * argument would reach the script's output, its logs and every terminal that shows them.
 */
export const ActionArgument = z.string().refine((value) => !CONTROL.test(value), {
  error: (issue) => {
    const match = CONTROL.exec(String(issue.input));
    const code = match ? match[0].charCodeAt(0).toString(16).padStart(4, '0') : '';
    return (
      `an argument contains the control character U+${code.toUpperCase()}; arguments are ` +
      `text without control characters (tab is allowed)`
    );
  },
});

/** An OpenFlight-Action-style command run on a node: the command name and its arguments ($1...). */
export const ActionParameters = z.strictObject({
  command: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, {
    error: 'command must be a command name (letters, digits, ".", "_", "-")',
  }),
  arguments: z.array(ActionArgument).max(256).default([]),
});
export type ActionParameters = z.infer<typeof ActionParameters>;

export const ActionResult = z.strictObject({
  exit_code: z.number().int().nullable(),
  signal: z.string().optional(),
  script: z.string().optional(),
});
export type ActionResult = z.infer<typeof ActionResult>;

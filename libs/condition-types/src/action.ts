import { z } from 'zod';

/** An OpenFlight-Action-style command run on a node: the command name and its arguments ($1...). */
export const ActionParameters = z.strictObject({
  command: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, {
    error: 'command must be a command name (letters, digits, ".", "_", "-")',
  }),
  arguments: z.array(z.string()).max(256).default([]),
});
export type ActionParameters = z.infer<typeof ActionParameters>;

export const ActionResult = z.strictObject({
  exit_code: z.number().int().nullable(),
  signal: z.string().optional(),
  script: z.string().optional(),
});
export type ActionResult = z.infer<typeof ActionResult>;

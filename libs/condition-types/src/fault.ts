import { z } from 'zod';

/**
 * Where a fault makes a condition fail, as the controller's queue library runs it: `init`
 * before the handler starts, `complete` after it has done its work, before the outcome is
 * written. rivets leaves the stage names to each controller (rivets condition/types.go).
 */
export const faultStages = ['init', 'complete'] as const;

/** Longest `delayDuration` taken: a fault is for testing recovery, not for parking a server. */
export const MAX_FAULT_DELAY_MS = 10 * 60_000;

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.Duration text as rivets takes it ("5s", "1m30s", "250ms"), in milliseconds. */
export function parseGoDuration(text: string): number | undefined {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return undefined;
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * units[unit], 0);
}

/**
 * rivets' Fault (condition/types.go), on conditionorc's ConditionCreate
 * (pkg/api/v1/conditions/types/types.go): a controller-side fault, to test recovery.
 */
export const Fault = z.strictObject({
  /** The handler fails as if it had crashed; the controller goes on with other conditions. */
  panic: z.boolean(),
  /** The controller waits this long before it runs the condition. */
  delayDuration: z
    .string()
    .refine((d) => d === '' || (parseGoDuration(d) ?? Infinity) <= MAX_FAULT_DELAY_MS, {
      error: `delayDuration must be a Go duration such as 5s or 2m, at most 10m`,
    })
    .optional(),
  /** The stage at which the condition fails. */
  failAt: z
    .string()
    .refine((s) => s === '' || (faultStages as readonly string[]).includes(s), {
      error: `failAt must be one of ${faultStages.join(', ')}`,
    })
    .optional(),
});
export type Fault = z.infer<typeof Fault>;

import { z } from 'zod';
import { PowerState } from './server-control';

/** OpenFlight Action's estate commands, as a condition kind: read or change a machine type. */
export const estateActions = ['show', 'change'] as const;
export const EstateAction = z.enum(estateActions);
export type EstateAction = z.infer<typeof EstateAction>;

/** OpenFlight's twelve abstract machine types, `{general,compute,gpu,mem}-{small,medium,large}`. */
export const abstractMachineTypes = ['general', 'compute', 'gpu', 'mem'].flatMap((family) =>
  ['small', 'medium', 'large'].map((size) => `${family}-${size}`),
);

/** A machine type as written: an abstract type or a cloud's own (t3.medium, Standard_D4s_v5). */
const MachineTypeName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
  error: 'machine_type must be a machine type name (letters, digits, ".", "_", "-")',
});

export const EstateParameters = z
  .strictObject({
    action: EstateAction,
    machine_type: MachineTypeName.optional(),
  })
  .superRefine((p, ctx) => {
    if (p.action === 'change' && p.machine_type === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['machine_type'],
        message:
          'estate change needs machine_type: an abstract type such as compute-large, ' +
          "or the cloud's own",
      });
    if (p.action === 'show' && p.machine_type !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['machine_type'],
        message: 'estate show takes no machine_type',
      });
  });
export type EstateParameters = z.infer<typeof EstateParameters>;

/**
 * OpenFlight's estate-change exit codes, kept for its clients: 101 the type is unknown, 102 the
 * node's platform has no machine types, 103 the cloud refuses a type of another family.
 */
export const ESTATE_EXIT_CODES = {
  unknown_type: 101,
  unsupported_platform: 102,
  wrong_family: 103,
} as const;
export type EstateErrorCode = keyof typeof ESTATE_EXIT_CODES;

export const EstateResult = z.strictObject({
  /** The abstract type the instance type maps to, or `unknown` when none does. */
  machine_type: z.string().optional(),
  /** The cloud's own type (EC2 instance type, Azure VM size). */
  instance_type: z.string().optional(),
  /** False for a change to the type the node already has (a no-op success). */
  changed: z.boolean().optional(),
  /** Power as the node was left: after a change, or where a failed change left it. */
  power_state: PowerState.optional(),
  /** On failure: OpenFlight's exit code and its name (101, 102, 103), when one applies. */
  error_code: z.enum(['unknown_type', 'unsupported_platform', 'wrong_family']).optional(),
  exit_code: z.number().int().optional(),
});
export type EstateResult = z.infer<typeof EstateResult>;

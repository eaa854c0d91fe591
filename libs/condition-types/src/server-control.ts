import { z } from 'zod';

/** serverControl actions, exactly as metal-toolbox FlipFlop (rivets) names them. */
export const serverControlActions = [
  'set_power_state',
  'get_power_state',
  'set_next_boot_device',
  'power_cycle_bmc',
  'pxe_boot_persistent',
] as const;
export const ServerControlAction = z.enum(serverControlActions);
export type ServerControlAction = z.infer<typeof ServerControlAction>;

export const powerActions = ['on', 'off', 'cycle', 'reset', 'soft'] as const;
export const PowerAction = z.enum(powerActions);
export type PowerAction = z.infer<typeof PowerAction>;

export const bootDevices = [
  'bios',
  'cdrom',
  'diag',
  'floppy',
  'disk',
  'none',
  'pxe',
  'remote_drive',
  'sd_card',
  'usb',
  'utilities',
] as const;
export const BootDevice = z.enum(bootDevices);
export type BootDevice = z.infer<typeof BootDevice>;

export const PowerState = z.enum(['on', 'off']);
export type PowerState = z.infer<typeof PowerState>;

/**
 * Which action_parameter values each action takes. `required` lists what it needs (the power
 * word, the boot device); `tolerated` lists words it takes and ignores: metal-toolbox mctl sends
 * its own `--action` word for every action (mctl cmd/power/power.go), and conditionorc's
 * firmware-install flow sends `pxe` for pxe_boot_persistent.
 */
const parameterChoices: Record<
  ServerControlAction,
  { required: readonly string[] } | { tolerated: readonly string[] }
> = {
  set_power_state: { required: powerActions },
  set_next_boot_device: { required: bootDevices },
  get_power_state: { tolerated: ['status'] },
  power_cycle_bmc: { tolerated: ['bmc-reset'] },
  pxe_boot_persistent: { tolerated: ['boot-pxe-persistent', 'pxe'] },
};

/** Go's zero UUID: what a Go client marshals for a UUID it did not set. */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** Actions whose boot flags mean something; for the others only Go's zero value is taken. */
const bootFlagActions: readonly ServerControlAction[] = [
  'set_next_boot_device',
  'pxe_boot_persistent',
];

const ServerControlFields = z.strictObject({
  asset_id: z.uuid({ error: 'asset_id must be a UUID' }).optional(),
  action: ServerControlAction,
  action_parameter: z.string().optional(),
  set_next_boot_device_persistent: z.boolean().optional(),
  set_next_boot_device_efi: z.boolean().optional(),
  /**
   * rivets' ServerControlTaskParameters has these for validate_firmware, which Switchboard does
   * not run; a Go client always marshals them, as 0 and the nil UUID, and only those are taken.
   */
  validate_firmware_timeout: z
    .literal(0, {
      error: 'validate_firmware_timeout applies only to validate_firmware, not run here',
    })
    .optional(),
  validate_firmware_id: z
    .literal(NIL_UUID, {
      error: 'validate_firmware_id applies only to validate_firmware, not run here',
    })
    .optional(),
});

/**
 * The FlipFlop README example spells the asset `assetID`; Go's decoder silently drops
 * it there. We accept it as a legacy alias so that payload works, and refuse a body
 * that gives both spellings with different values.
 */
function acceptLegacyAssetId(input: unknown): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input) || !('assetID' in input))
    return input;
  const { assetID, ...rest } = input as Record<string, unknown>;
  // left for strictObject to name
  if ('asset_id' in rest && rest.asset_id !== assetID) return input;
  return { ...rest, asset_id: assetID };
}

export const ServerControlParameters = z.preprocess(
  acceptLegacyAssetId,
  ServerControlFields.superRefine((p, ctx) => {
    const choices = parameterChoices[p.action];
    const given = p.action_parameter;
    if ('tolerated' in choices) {
      if (given !== undefined && given !== '' && !choices.tolerated.includes(given)) {
        ctx.addIssue({
          code: 'custom',
          path: ['action_parameter'],
          message:
            `action ${p.action} takes no action_parameter (or one of ` +
            `${choices.tolerated.join(', ')}), got "${given}"`,
        });
      }
    } else if (given === undefined || given === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['action_parameter'],
        message:
          `action ${p.action} needs action_parameter, ` + `one of: ${choices.required.join(', ')}`,
      });
    } else if (!choices.required.includes(given)) {
      ctx.addIssue({
        code: 'custom',
        path: ['action_parameter'],
        message:
          `action ${p.action}: action_parameter must be one of ` +
          `${choices.required.join(', ')}, got "${given}"`,
      });
    }
    if (!bootFlagActions.includes(p.action)) {
      for (const flag of ['set_next_boot_device_persistent', 'set_next_boot_device_efi'] as const) {
        if (p[flag])
          ctx.addIssue({
            code: 'custom',
            path: [flag],
            message: `${flag} applies only to actions ${bootFlagActions.join(' and ')}`,
          });
      }
    }
  }),
);
export type ServerControlParameters = z.infer<typeof ServerControlFields>;

/** Structured outcome of a serverControl condition: what was read back from the server. */
export const ServerControlResult = z.strictObject({
  power_state: PowerState.optional(),
  /**
   * Cloud nodes: OpenFlight's word for the state, as its power-status prints it (SLEEPING: an
   * Azure VM stopped but not deallocated, off and still billed).
   */
  power_status: z.enum(['ON', 'OFF', 'PENDING', 'STOPPING', 'SLEEPING']).optional(),
  boot_device: z.string().optional(),
  persistent: z.boolean().optional(),
  efi: z.boolean().optional(),
  bmc_reset: z.boolean().optional(),
});
export type ServerControlResult = z.infer<typeof ServerControlResult>;

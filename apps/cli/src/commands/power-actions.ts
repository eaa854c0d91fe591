import { ServerControlParameters } from '@switchboard/condition-types';
import type { BootDevice } from '@switchboard/condition-types';
import { UsageError } from '../errors';

/** FlipFlop mctl's `--action` values. */
export const powerActionFlags = [
  'on',
  'off',
  'cycle',
  'reset',
  'soft',
  'status',
  'bmc-reset',
  'boot-pxe-persistent',
] as const;
export type PowerActionFlag = (typeof powerActionFlags)[number];

/**
 * OpenFlight's `power <verb>` grammar: on, off, restart (= cycle), status, list. Every
 * `--action` value is accepted as a verb too, so `mctl power cycle node01` works.
 */
export const powerVerbs = [
  'on',
  'off',
  'restart',
  'status',
  'list',
  'cycle',
  'reset',
  'soft',
  'bmc-reset',
  'boot-pxe-persistent',
] as const;
export type PowerVerb = (typeof powerVerbs)[number];

const verbAliases: Partial<Record<PowerVerb, PowerActionFlag>> = { restart: 'cycle' };

export function isPowerVerb(word: string): word is PowerVerb {
  return (powerVerbs as readonly string[]).includes(word);
}

/**
 * Sorts out `power`'s two optional positionals. `mctl power on node01` has a verb and a range;
 * `mctl power node01 --action on` has only a range, so a first word that is no verb is the range
 * when nothing else says what to do.
 */
export function powerPositionals(
  first: string | undefined,
  second: string | undefined,
  hasFlagIntent: boolean,
): { verb?: PowerVerb; targets?: string } {
  if (first === undefined) return {};
  if (isPowerVerb(first)) return { verb: first, targets: second };
  if (second === undefined && hasFlagIntent) return { targets: first };
  throw new UsageError(`unknown power verb "${first}"; expected one of: ${powerVerbs.join(', ')}`);
}

/** What `power` was asked to do. */
export type PowerIntent =
  | { kind: 'control'; action: PowerActionFlag }
  /** Show the latest condition of each server, start nothing. */
  | { kind: 'action-status' }
  /** List the servers from the inventory, start nothing. */
  | { kind: 'list' };

/** Reconciles the verb, `--action` and `--action-status`: exactly one must say what to do. */
export function powerIntent(
  verb: PowerVerb | undefined,
  action: PowerActionFlag | undefined,
  actionStatus: boolean,
): PowerIntent {
  const given = [
    verb && `"${verb}"`,
    action && `--action ${action}`,
    actionStatus && '--action-status',
  ].filter(Boolean);
  if (given.length > 1)
    throw new UsageError(`say what to do once: ${given.join(' and ')} both given`);
  if (actionStatus) return { kind: 'action-status' };
  if (verb === 'list') return { kind: 'list' };
  const chosen = verb ? (verbAliases[verb] ?? (verb as PowerActionFlag)) : action;
  if (!chosen) {
    throw new UsageError(
      'what should happen? give a verb (mctl power on node01) or --action (mctl power ' +
        '--server node01 --action on)',
    );
  }
  return { kind: 'control', action: chosen };
}

/** serverControl parameters of each `--action`, exactly as FlipFlop names them. */
export function powerParameters(action: PowerActionFlag): ServerControlParameters {
  switch (action) {
    case 'on':
    case 'off':
    case 'cycle':
    case 'reset':
    case 'soft':
      return checked({ action: 'set_power_state', action_parameter: action });
    case 'status':
      return checked({ action: 'get_power_state' });
    case 'bmc-reset':
      return checked({ action: 'power_cycle_bmc' });
    case 'boot-pxe-persistent':
      return checked({ action: 'pxe_boot_persistent' });
  }
}

export interface BootFlags {
  device: BootDevice;
  persistent?: boolean;
  efi?: boolean;
}

/** `mctl boot --device pxe [--persistent] [--efi]` → set_next_boot_device. */
export function bootParameters(flags: BootFlags): ServerControlParameters {
  return checked({
    action: 'set_next_boot_device',
    action_parameter: flags.device,
    set_next_boot_device_persistent: flags.persistent ?? false,
    set_next_boot_device_efi: flags.efi ?? false,
  });
}

/** The contract's own schema is the judge; a mapping bug shows up here, not as a 400. */
function checked(parameters: ServerControlParameters): ServerControlParameters {
  const result = ServerControlParameters.safeParse(parameters);
  if (!result.success) throw new UsageError(result.error.issues.map((i) => i.message).join('; '));
  return result.data;
}

import type { ActionParameters } from './action';
import { abstractMachineTypes, EstateParameters } from './estate';
import type { CommandSummary } from './output';

/**
 * OpenFlight Action's estate commands, built in: `GET /commands` lists them beside the
 * commands directory's, and an `action` condition naming one is carried out by the estate
 * code (the controller's estate handler), not by a script. Their arguments become
 * EstateParameters; their exit statuses are OpenFlight's (0, 101, 102, 103).
 */
export const ESTATE_COMMANDS: readonly CommandSummary[] = [
  {
    name: 'estate-show',
    summary: 'show the machine type of a cloud node (built in)',
    description:
      "Prints the node's machine type: OpenFlight's abstract type and the cloud's own, " +
      'as "compute-large (c5.2xlarge)" (unknown when no abstract type maps to it).',
    has_context: true,
    timeout_seconds: 900,
    concurrent: false,
    ranks: [],
  },
  {
    name: 'estate-change',
    summary: 'change the machine type of a cloud node, rebooting it if it is on (built in)',
    description:
      `TYPE is one of OpenFlight's abstract types (${abstractMachineTypes.join(', ')}) or the ` +
      "cloud's own. The same type does nothing; otherwise the node is shut down, its type " +
      'changed, and it is powered on again only if it was on. Exit status 101: unknown type; ' +
      '102: the platform has no machine types; 103: a type of another family.',
    syntax: 'TYPE',
    has_context: true,
    confirmation:
      'Change machine type for %{nodes}. If powered on it will be rebooted. ' +
      'Confirm to proceed [y/n]?',
    timeout_seconds: 900,
    concurrent: false,
    ranks: [],
  },
];

export const ESTATE_COMMAND_NAMES: readonly string[] = ESTATE_COMMANDS.map((c) => c.name);

/** What an action naming a built-in estate command asks for, or why its arguments are wrong. */
export type EstateCommandRequest =
  { ok: true; parameters: EstateParameters } | { ok: false; message: string };

/** undefined: not a built-in estate command (the commands directory's, if any). */
export function estateCommandRequest(action: ActionParameters): EstateCommandRequest | undefined {
  const args = action.arguments;
  switch (action.command) {
    case 'estate-show':
      return args.length === 0
        ? { ok: true, parameters: { action: 'show' } }
        : { ok: false, message: `estate-show takes no arguments, got ${args.length}` };
    case 'estate-change': {
      if (args.length !== 1)
        return {
          ok: false,
          message: `estate-change takes one argument, the machine type, got ${args.length}`,
        };
      const parsed = EstateParameters.safeParse({ action: 'change', machine_type: args[0] });
      return parsed.success
        ? { ok: true, parameters: parsed.data }
        : { ok: false, message: parsed.error.issues.map((i) => i.message).join('; ') };
    }
    default:
      return undefined;
  }
}

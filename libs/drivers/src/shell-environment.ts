import type { ServerEntry, ShellPlatform } from '@switchboard/inventory';
import {
  passEnvRefusal,
  scriptBaseEnvironment,
  variableRefusal,
  withoutShellStartup,
} from '@switchboard/process';

/**
 * The node's part of a script's environment: each variable the platform declares, from the
 * node's attributes, plus `name` (the server name, always, as OpenFlight Power passes it).
 * Values are never put into the script text, so `$(…)`, backticks, `;` or quotes in them are
 * plain characters to bash. Throws when the platform and the node do not fit together (the
 * inventory loader refuses such files already; this guards other callers).
 */
export function nodeVariables(
  server: ServerEntry,
  platform: ShellPlatform,
): Record<string, string> {
  const where = `server ${server.name}, platform ${platform.name}`;
  const vars: Record<string, string> = {};
  const allowed = new Set(platform.allowedKeys ?? []);
  for (const variable of platform.variables) {
    const value = variable === 'name' ? server.name : server.attributes[variable];
    if (value === undefined)
      throw new Error(
        `${where}: the platform needs variable "${variable}", which the node does not set`,
      );
    const refused = variableRefusal(variable, value, allowed);
    if (refused) throw new Error(`${where}: variable "${variable}" cannot be passed: ${refused}`);
    vars[variable] = value;
  }
  vars.name = server.name;
  return vars;
}

/**
 * A script's whole environment: the clean base (a fixed PATH, LANG), what the operator passes on
 * (`passEnv`: the platform's `pass_env` and the driver's option; it never overrides the base)
 * and the node's variables. Nothing else of the controller's environment is passed (its NATS
 * URL, JWT secret file, BMC passwords…).
 */
export function scriptEnvironment(
  node: Record<string, string>,
  passEnv: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return { ...withoutShellStartup(passEnv), ...scriptBaseEnvironment(), ...node };
}

/**
 * The controller's variables the platform names in `pass_env`, as they are in `controllerEnv`
 * (those unset there are left out: a command that needs one fails as it would anywhere).
 * Throws when the platform names one that may not pass (the inventory loader refuses such files
 * already; this guards other callers).
 */
export function passedVariables(
  platform: ShellPlatform,
  controllerEnv: Readonly<NodeJS.ProcessEnv> = {},
): Record<string, string> {
  const passed: Record<string, string> = {};
  for (const name of platform.passEnv ?? []) {
    const refused = passEnvRefusal(name);
    if (refused)
      throw new Error(`platform ${platform.name}: pass_env "${name}" is refused: ${refused}`);
    const value = controllerEnv[name];
    if (value !== undefined) passed[name] = value;
  }
  return passed;
}

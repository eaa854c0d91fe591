import type { ServerEntry, ShellPlatform } from '@switchboard/inventory';

/**
 * Variables bash acts on before it reads the script: BASH_ENV and ENV name a file it sources,
 * SHELLOPTS/BASHOPTS switch on options, and exported functions (BASH_FUNC_*) define commands.
 * Dropped from the inherited environment too, so a script runs its own text and nothing else.
 */
const BASH_STARTUP = /^(BASH_ENV|ENV|SHELLOPTS|BASHOPTS)$|^BASH_FUNC_/;
/**
 * Names a node value may not take besides those: PS4 is expanded (code and all) under xtrace,
 * LD_* steer the dynamic loader. A value under one of these would run as code, which is exactly
 * what passing values through the environment rules out.
 */
const RUNS_AS_CODE = /^(PS4|LD_[A-Z0-9_]*)$/;

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
  for (const variable of platform.variables) {
    if (BASH_STARTUP.test(variable) || RUNS_AS_CODE.test(variable)) {
      throw new Error(
        `${where}: variable "${variable}" cannot be passed, bash would act on its value as code`,
      );
    }
    const value = variable === 'name' ? server.name : server.attributes[variable];
    if (value === undefined)
      throw new Error(
        `${where}: the platform needs variable "${variable}", which the node does not set`,
      );
    vars[variable] = value;
  }
  vars.name = server.name;
  for (const [key, value] of Object.entries(vars)) {
    // The one character an environment cannot hold; spawn would throw a bare TypeError later.
    if (value.includes('\0'))
      throw new Error(`${where}: variable "${key}" contains a NUL character`);
  }
  return vars;
}

/** The inherited environment (without bash start-up variables) overlaid with the node's variables. */
export function scriptEnvironment(
  base: NodeJS.ProcessEnv,
  node: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value !== undefined && !BASH_STARTUP.test(key)) env[key] = value;
  }
  return { ...env, ...node };
}

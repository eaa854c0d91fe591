/**
 * Environments of the processes this library starts. A child gets exactly the environment its
 * caller builds: the runner adds nothing (no `extendEnv`), so the controller's own variables
 * reach a child only when a caller copies them on purpose.
 */

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Names whose value the interpreter or the loader acts on before a script's first line: bash
 * sources BASH_ENV/ENV, obeys SHELLOPTS/BASHOPTS, imports BASH_FUNC_* functions, expands PS4
 * under xtrace; LD_* steer the dynamic loader.
 */
const SHELL_STARTUP = /^(BASH_ENV|ENV|SHELLOPTS|BASHOPTS)$|^BASH_FUNC_/;
const ACTS_AS_CODE = /^(BASH_ENV|ENV|SHELLOPTS|BASHOPTS|PS4|LD_[A-Za-z0-9_]*)$|^BASH_FUNC_/;

/** An inherited environment without the variables bash acts on at start-up. */
export function withoutShellStartup(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && !SHELL_STARTUP.test(key)) out[key] = value;
  }
  return out;
}

/**
 * Why a value from the inventory may not become environment variable `key`, or undefined when
 * it may. Values are data: a name an interpreter would act on as code is refused.
 */
export function variableRefusal(key: string, value: string): string | undefined {
  if (!ENV_NAME.test(key))
    return 'not a valid environment variable name (letters, digits and "_", not starting with a digit)';
  if (ACTS_AS_CODE.test(key)) return 'the interpreter or loader would act on its value as code';
  if (value.includes('\0'))
    return 'the value contains a NUL character, which no environment variable can hold';
  return undefined;
}

/** Throws, naming the variable, when a value holds the one character no environment can. */
export function assertNoNul(env: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(env)) {
    if (value.includes('\0'))
      throw new Error(`${key} contains a NUL character, which no environment variable can hold`);
  }
}

/** PATH for a child when the caller has none to give. */
export const FALLBACK_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

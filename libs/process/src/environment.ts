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
 * it may: the node-key rule (nodeKeyRefusal), and a value an environment can hold.
 */
export function variableRefusal(
  key: string,
  value: string,
  allowed?: ReadonlySet<string>,
): string | undefined {
  const refused = nodeKeyRefusal(key, allowed);
  if (refused) return refused;
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

/**
 * The one PATH of shell-platform commands and action scripts: fixed, not the controller's, so
 * neither an inventory value nor the controller's own environment decides what `ipmitool` or
 * `aws` means in a script.
 */
export const SCRIPT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The clean base environment of shell-platform commands and action scripts. */
export function scriptBaseEnvironment(): Record<string, string> {
  return { PATH: SCRIPT_PATH, LANG: 'C.UTF-8' };
}

/** Node keys that pass without being listed: lower-case identifiers (OpenFlight's `ec2_id`). */
export const NODE_KEY = /^[a-z_][a-z0-9_]*$/;

/**
 * Lower-case names that tools do read: curl, wget, Python and others send their traffic through
 * `*_proxy` (`http_proxy`, `https_proxy`, `all_proxy`, `no_proxy`, `ftp_proxy`). Refused unless
 * listed, like any upper-case name.
 */
const READ_BY_TOOLS = /_proxy$/;

/**
 * Why a node key may not reach a script's environment, or undefined when it may. The rule
 * cannot miss: a key passes when it is a lower-case identifier (no interpreter, loader or libc
 * acts on such a name, the proxy variables aside), or when it is listed in `allowed` (the
 * platform's `allowed_keys`). Everything else is refused: NODE_OPTIONS, PYTHONPATH, PERL5OPT,
 * GCONV_PATH, OPENSSL_CONF, GLIBC_TUNABLES, HOME, TMPDIR, and every name not yet thought of.
 * A few names are refused even when listed, since bash or the loader runs their value as code.
 */
export function nodeKeyRefusal(
  key: string,
  allowed: ReadonlySet<string> = new Set(),
): string | undefined {
  if (!ENV_NAME.test(key))
    return (
      'not a valid environment variable name (letters, digits and "_", not starting with a ' +
      'digit)'
    );
  if (ACTS_AS_CODE.test(key)) return 'bash or the dynamic loader would run its value as code';
  if (allowed.has(key)) return undefined;
  if (NODE_KEY.test(key) && !READ_BY_TOOLS.test(key)) return undefined;
  return (
    'only lower-case keys (letters, digits, "_") reach scripts; list any other in the ' +
    "platform's allowed_keys"
  );
}

/** Switchboard's own settings and secrets (its NATS credentials, its token secret). */
const SWITCHBOARD_OWN = /^(NATS_|JWT_)/;

/**
 * Why the controller's variable `name` may not be handed to a shell platform's commands
 * (`pass_env`), or undefined when it may. The scripts' base stays as it is (PATH and LANG are
 * fixed), nothing bash or the loader runs as code passes, nor Switchboard's own settings.
 */
export function passEnvRefusal(name: string): string | undefined {
  if (!ENV_NAME.test(name))
    return (
      'not a valid environment variable name (letters, digits and "_", not starting with a ' +
      'digit)'
    );
  if (ACTS_AS_CODE.test(name)) return 'bash or the dynamic loader would run its value as code';
  if (name in scriptBaseEnvironment()) return "the scripts' PATH and LANG are fixed";
  if (SWITCHBOARD_OWN.test(name))
    return 'a setting of Switchboard itself (NATS_*, JWT_*), which scripts never get';
  return undefined;
}

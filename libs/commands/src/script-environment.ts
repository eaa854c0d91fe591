import { assertNoNul, scriptBaseEnvironment, variableRefusal } from '@switchboard/process';

/** What a script learns about its node and its run: the whole of its environment. */
export interface EnvironmentInputs {
  command: string;
  /** The command's directory. */
  scriptRoot: string;
  requester: string;
  node?: { name: string; attributes: Record<string, string>; allowedKeys?: readonly string[] };
  /** PATH of the script: fixed (SCRIPT_PATH) unless a caller chooses another. */
  path: string;
  /** Where node attributes such as `bmc_password_env` may point; see `SECRET_ATTRIBUTES`. */
  secrets?: SecretSource;
}

/**
 * Variables of the controller's environment that nodes may hand to their scripts as secrets.
 * The operator lists them (`allowed`); an inventory entry can only choose among those, so a
 * node saying `bmc_password_env: JWT_SECRET` gets nothing.
 */
export interface SecretSource {
  allowed: readonly string[];
  /** Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Node attributes that name a secret instead of holding it, and the variable the secret is
 * given to the script as. The inventory holds only the name of a controller environment
 * variable; the value reaches the script's environment alone, never argv (where `ps` shows it)
 * nor the inventory (which the API and logs may show). `IPMI_PASSWORD` is what `ipmitool -E` reads.
 */
export const SECRET_ATTRIBUTES: Readonly<Record<string, string>> = {
  bmc_password_env: 'IPMI_PASSWORD',
};
const SECRET_VARIABLES = new Set(Object.values(SECRET_ATTRIBUTES));

export interface SkippedVariable {
  key: string;
  reason: string;
}

export interface ScriptEnvironment {
  env: Record<string, string>;
  /** Values the script has that must not show up in captured output. */
  secrets: string[];
  /** Attributes that could not be passed, with why; never with their values. */
  skipped: SkippedVariable[];
}

/**
 * The complete environment of one script: each node attribute under its own name and case,
 * then the run's own variables (`name`, `command`, `SCRIPT_ROOT`, `SWITCHBOARD_REQUESTER`, PATH),
 * which an attribute cannot override. Nothing else of the controller's environment is passed,
 * so its secrets (JWT_SECRET, NATS credentials, …) never reach a script.
 */
export function scriptEnvironment(inputs: EnvironmentInputs): ScriptEnvironment {
  const run: Record<string, string> = {
    ...scriptBaseEnvironment(),
    PATH: inputs.path,
    command: inputs.command,
    SCRIPT_ROOT: inputs.scriptRoot,
    SWITCHBOARD_REQUESTER: inputs.requester,
  };
  if (inputs.node) run.name = inputs.node.name;

  const env: Record<string, string> = {};
  const secrets: string[] = [];
  const skipped: SkippedVariable[] = [];
  const allowed = new Set(inputs.node?.allowedKeys ?? []);
  for (const [key, value] of Object.entries(inputs.node?.attributes ?? {})) {
    const reason = refusal(key, value, run, allowed);
    if (reason) skipped.push({ key, reason });
    else env[key] = value;
  }
  for (const [attribute, variable] of Object.entries(SECRET_ATTRIBUTES)) {
    const name = inputs.node?.attributes[attribute];
    if (name === undefined) continue;
    const secret = resolveSecret(name, inputs.secrets);
    if ('reason' in secret)
      skipped.push({ key: variable, reason: `from ${attribute}: ${secret.reason}` });
    else {
      run[variable] = secret.value;
      secrets.push(secret.value);
    }
  }
  // The one character an environment cannot hold; spawn would throw a bare TypeError later.
  assertNoNul(run);
  return { env: { ...env, ...run }, secrets, skipped };
}

function refusal(
  key: string,
  value: string,
  run: Record<string, string>,
  allowed: ReadonlySet<string>,
): string | undefined {
  const refused = variableRefusal(key, value, allowed);
  if (refused) return refused;
  if (Object.hasOwn(run, key)) return 'set by the runner; an attribute cannot replace it';
  if (SECRET_VARIABLES.has(key))
    return 'a secret does not belong in the inventory; name its variable with bmc_password_env';
  return undefined;
}

function resolveSecret(
  name: string,
  source: SecretSource | undefined,
): { value: string } | { reason: string } {
  if (!source?.allowed.includes(name))
    return { reason: `${name} is not among the variables allowed as secrets` };
  const value = (source.env ?? process.env)[name];
  if (value === undefined || value === '')
    return { reason: `${name} is not set in the controller's environment` };
  if (value.includes('\0')) return { reason: `${name} contains a NUL character` };
  return { value };
}

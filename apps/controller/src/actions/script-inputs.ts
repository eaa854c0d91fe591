import type { CommandNode, SecretSource } from '@switchboard/commands';
import type { ServerEntry } from '@switchboard/inventory';

/**
 * The variable a native IPMI node's own BMC password is handed to its script through. It
 * exists only in the per-run secret source built here, never in the controller's environment.
 */
export const NATIVE_BMC_PASSWORD_VARIABLE = 'SWITCHBOARD_NODE_BMC_PASSWORD';

export interface ScriptInputs {
  node: CommandNode;
  secrets: SecretSource;
}

export interface SecretsConfig {
  /** Controller variables nodes may name in `bmc_password_env` (COMMAND_SECRETS). */
  allowed: readonly string[];
  /** Where those variables are read (the controller's environment). */
  env: NodeJS.ProcessEnv;
}

/**
 * What a command's script learns about a server. Inventory attributes hold only a node's
 * scalar keys, so a native IPMI node (its BMC in a nested `bmc:` map) would reach the example
 * ipmi scripts without `bmc_host`. Its BMC settings are added as the attributes those scripts
 * read (`bmc_host`, `bmc_port`, `bmc_username`, `bmc_cipher_suite`) unless the node sets them
 * itself, and its password, resolved by the inventory, is given the way @switchboard/commands
 * expects a password: `bmc_password_env` names a variable, and the runner copies that
 * variable's value into the script's environment as IPMI_PASSWORD. The variable here lives only
 * in this run's secret source, so the password is in no attribute, argv, log or process env.
 */
export function scriptInputs(server: ServerEntry, config: SecretsConfig): ScriptInputs {
  const attributes: Record<string, string> = { ...server.attributes };
  // Only the variables the operator allows are looked up; nothing else of the environment is
  // copied.
  const allowed = [...config.allowed];
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    allowed.map((name) => [name, config.env[name]]),
  );

  const { bmc } = server;
  if (bmc) {
    const fromBmc: Record<string, string> = {
      bmc_host: bmc.host,
      bmc_port: String(bmc.port),
      bmc_username: bmc.username,
      bmc_cipher_suite: String(bmc.cipherSuite),
    };
    for (const [key, value] of Object.entries(fromBmc)) {
      if (!Object.hasOwn(attributes, key)) attributes[key] = value;
    }
    // A node that names its password variable itself keeps that choice.
    if (bmc.password !== undefined && !Object.hasOwn(attributes, 'bmc_password_env')) {
      attributes.bmc_password_env = NATIVE_BMC_PASSWORD_VARIABLE;
      allowed.push(NATIVE_BMC_PASSWORD_VARIABLE);
      env[NATIVE_BMC_PASSWORD_VARIABLE] = bmc.password;
    }
  }
  const node = {
    name: server.name,
    attributes,
    ...(server.allowedKeys ? { allowedKeys: server.allowedKeys } : {}),
  };
  return { node, secrets: { allowed, env } };
}

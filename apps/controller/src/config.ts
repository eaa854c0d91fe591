import { statSync } from 'node:fs';
import { readSigningKeys } from '@switchboard/condition-signing';
import { parseServerList, readNatsAuth, replicasFromEnv } from '@switchboard/nats';
import type { ControllerOptions } from './controller';

/** The controller's environment variables, documented in README.md. */
export const ENVIRONMENT = {
  NATS_URL: 'the NATS server, or cluster members separated by commas, e.g. nats://127.0.0.1:4222',
  NATS_REPLICAS:
    'replicas of the streams and buckets it provisions (default 3 on a cluster of 3+, else 1)',
  INVENTORY_FILE: 'the inventory, topology.yaml or nodes.yaml',
  CONDITION_SIGNING_KEY_FILE:
    "a file (0600) with the API's condition signing key (32+ random bytes): a condition whose " +
    'record it did not sign is failed, never run',
  CONDITION_SIGNING_PREVIOUS_KEY_FILE:
    'during a key rotation, the key before: still accepted (see README.md, key rotation)',
  CONDITION_CLOCK_SKEW_MS:
    'how long after its time a record may reach NATS before it counts as replayed (default 60000)',
  CONTROLLER_ID: "this replica's id (default <host>-<pid>-<random>)",
  FANOUT: 'conditions worked on at once (default 128)',
  HEARTBEAT_INTERVAL_MS: "renewal of this replica's heartbeat (default 2000)",
  HEARTBEAT_EXPIRY_MS:
    'a replica whose heartbeat is older than this is taken over (default 10000; > 2 intervals)',
  OPERATION_TIMEOUT_MS: 'deadline of one driver call (default 15000)',
  OPERATION_ATTEMPTS: 'attempts of an idempotent call that times out (default 3)',
  RETRY_BASE_DELAY_MS: 'first backoff delay, doubled per attempt (default 1000)',
  VERIFY_TIMEOUT_MS: 'how long a power change may take to show (default 60000)',
  VERIFY_INTERVAL_MS: 'first pause between reads while verifying (default 250, grows to 1 s)',
  DRAIN_TIMEOUT_MS: 'grace for in-flight work on SIGTERM/SIGINT (default 20000)',
  BMC_RESET_SETTLE_MS: 'pause after a BMC reset before checking it answers (default 3000)',
  COMMANDS_DIR:
    'the commands directory of action conditions (OpenFlight Action layout); reloaded ' +
    'when it changes (default none: actions fail)',
  FAULT_INJECTION: "apply rivets' fault of a condition (panic, delayDuration, failAt); default off",
  COMMAND_SECRETS:
    'comma-separated controller variables that nodes may name in bmc_password_env for ' +
    'command scripts (default none)',
  IPMITOOL_HOME:
    'HOME given to ipmitool (default: one shipped with a one-entry IANA vendor table, ' +
    'which saves ipmitool ~3/4 of its CPU; a real home directory gives it the full table)',
  MACHINE_TYPES_FILE:
    "OpenFlight's abstract machine types per cloud for estate changes " +
    '(default assets/machine-types.yaml); read at every estate condition',
  AZURE_ARM_ENDPOINT:
    "Azure Resource Manager endpoint of the azure driver (default the public cloud's); " +
    'AWS reads AWS_ENDPOINT_URL_EC2 itself',
  HEALTH_PORT:
    'port of /healthz, /readyz and /metrics (Prometheus) on all interfaces (default none: no port)',
  LOG_LEVEL: 'pino level (default info)',
} as const;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid controller configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const isDirectory = (path: string): boolean =>
  statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;

const numeric: Array<[keyof typeof ENVIRONMENT, keyof ControllerOptions, number]> = [
  ['FANOUT', 'fanout', 1],
  ['HEARTBEAT_INTERVAL_MS', 'heartbeatIntervalMs', 100],
  ['HEARTBEAT_EXPIRY_MS', 'heartbeatExpiryMs', 500],
  ['OPERATION_TIMEOUT_MS', 'operationTimeoutMs', 100],
  ['OPERATION_ATTEMPTS', 'operationAttempts', 1],
  ['RETRY_BASE_DELAY_MS', 'retryBaseDelayMs', 0],
  ['VERIFY_TIMEOUT_MS', 'verifyTimeoutMs', 0],
  ['VERIFY_INTERVAL_MS', 'verifyIntervalMs', 10],
  ['DRAIN_TIMEOUT_MS', 'drainTimeoutMs', 0],
  ['BMC_RESET_SETTLE_MS', 'bmcResetSettleMs', 0],
  ['HEALTH_PORT', 'healthPort', 1],
  ['CONDITION_CLOCK_SKEW_MS', 'clockSkewMs', 1000],
];

/** Reads the options from the environment, naming every problem at once. */
export function optionsFromEnv(env: NodeJS.ProcessEnv): ControllerOptions {
  const problems: string[] = [];
  let signing: ControllerOptions['signing'] | undefined;
  const required = (name: 'NATS_URL' | 'INVENTORY_FILE'): string => {
    const value = env[name]?.trim();
    if (!value) problems.push(`${name} is required: ${ENVIRONMENT[name]}`);
    return value ?? '';
  };
  const opts = {
    natsUrl: required('NATS_URL'),
    inventoryFile: required('INVENTORY_FILE'),
    env,
  } as ControllerOptions;
  for (const check of [
    () => opts.natsUrl && parseServerList(opts.natsUrl),
    () => replicasFromEnv(env),
    () => (opts.natsAuth = readNatsAuth(env)),
    () => (signing = readSigningKeys(env)),
  ]) {
    try {
      check();
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  const id = env.CONTROLLER_ID?.trim();
  if (id) opts.id = id;
  const armEndpoint = env.AZURE_ARM_ENDPOINT?.trim();
  if (armEndpoint) {
    if (!/^https:\/\/[^\s/]+/.test(armEndpoint))
      problems.push(
        `AZURE_ARM_ENDPOINT must be an https:// URL, got ${JSON.stringify(armEndpoint)}`,
      );
    else opts.cloud = { azureEndpoint: armEndpoint };
  }
  const commandsDir = env.COMMANDS_DIR?.trim();
  if (commandsDir) opts.commandsDir = commandsDir;
  const ipmitoolHome = env.IPMITOOL_HOME?.trim();
  if (ipmitoolHome) {
    if (!isDirectory(ipmitoolHome))
      problems.push(
        `IPMITOOL_HOME must be an existing directory, got ${JSON.stringify(ipmitoolHome)}`,
      );
    else opts.ipmitoolHome = ipmitoolHome;
  }
  const secrets =
    env.COMMAND_SECRETS?.split(',')
      .map((name) => name.trim())
      .filter(Boolean) ?? [];
  const badSecrets = secrets.filter((name) => !ENV_NAME.test(name));
  if (badSecrets.length > 0) {
    problems.push(
      `COMMAND_SECRETS must list environment variable names, separated by commas; not ` +
        `names: ${badSecrets.map((n) => JSON.stringify(n)).join(', ')}`,
    );
  } else if (secrets.length > 0) {
    opts.commandSecrets = secrets;
  }
  for (const [name, key, min] of numeric) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min) {
      problems.push(`${name} must be a whole number >= ${min}, got ${JSON.stringify(raw)}`);
      continue;
    }
    (opts as unknown as Record<string, number>)[key] = value;
  }
  const interval = opts.heartbeatIntervalMs ?? 2000;
  const expiry = opts.heartbeatExpiryMs ?? 10_000;
  if (expiry < 2 * interval)
    problems.push(
      `HEARTBEAT_EXPIRY_MS (${expiry}) must be at least twice HEARTBEAT_INTERVAL_MS ` +
        `(${interval}): ` +
        'one late beat must not look like a dead controller',
    );
  const faults = env.FAULT_INJECTION?.trim().toLowerCase();
  if (faults && !['true', '1', 'on', 'false', '0', 'off'].includes(faults))
    problems.push(`FAULT_INJECTION must be true or false, got ${JSON.stringify(faults)}`);
  else if (faults && ['true', '1', 'on'].includes(faults)) opts.faultInjection = true;
  if (problems.length > 0 || !signing) throw new ConfigError(problems);
  return { ...opts, signing };
}

import { nodeKeyRefusal, passEnvRefusal } from '@switchboard/process';
import { isMap, isScalar } from 'yaml';
import { FieldReader } from './fields';
import { IPMI_DRIVERS, IpmiDriverName, ShellPlatform } from './types';
import { Entry, describe, isNothing, scalarText } from './yaml-source';

/**
 * Switchboard's default. OpenFlight Power's code defaults to 255, so a topology
 * file whose status script exits 255 for "off" must say so explicitly.
 */
export const DEFAULT_STATUS_OFF_EXIT_CODE = 111;

const SHELL_VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Settings a native platform takes under its name, as defaults for its nodes. */
const NATIVE_SETTINGS: Record<string, readonly string[]> = {
  aws: ['region', 'profile'],
  azure: ['subscription_id', 'tenant_id', 'client_id', 'off_action'],
  ipmi: ['driver'],
};

/**
 * A platform with commands or variables is an OpenFlight shell platform, whatever its name: a
 * topology.yaml whose `aws` platform calls the aws CLI keeps working as it did. One named
 * `aws`, `azure` or `ipmi` with settings only configures the native driver.
 */
export function isShellPlatform(platform: ShellPlatform): boolean {
  return Boolean(
    platform.variables.length > 0 ||
    platform.powerOn ||
    platform.powerOff ||
    platform.restart ||
    platform.status,
  );
}

const COMMANDS = {
  power_on: 'powerOn',
  power_off: 'powerOff',
  restart: 'restart',
  status: 'status',
} as const;

/** OpenFlight Power's `platforms:` map: shell commands per platform, fed the node's variables. */
export function parsePlatforms(
  section: Entry | undefined,
  read: FieldReader,
): Map<string, ShellPlatform> {
  const platforms = new Map<string, ShellPlatform>();
  if (!section || isNothing(section.value)) return platforms;
  if (!isMap(section.value)) {
    read.issues.add(
      read.line(section),
      `expected a map of platforms, got ${describe(section.value)}`,
      { field: 'platforms' },
    );
    return platforms;
  }
  for (const entry of read.source.entries(section.value, read.issues, { field: 'platforms' })) {
    const platform = parsePlatform(entry, read);
    if (platform) platforms.set(platform.name, platform);
  }
  return platforms;
}

function parsePlatform(entry: Entry, read: FieldReader): ShellPlatform | undefined {
  const name = entry.key;
  const base = `platforms.${name}`;
  if (!isMap(entry.value)) {
    read.issues.add(
      read.line(entry),
      `expected a map with variables and commands, got ${describe(entry.value)}`,
      { field: base },
    );
    return undefined;
  }
  const platform: ShellPlatform = {
    name,
    variables: [],
    allowedKeys: [],
    passEnv: [],
    statusOffExitCode: DEFAULT_STATUS_OFF_EXIT_CODE,
    settings: {},
    line: entry.line,
  };
  const cloudSettings = Object.hasOwn(NATIVE_SETTINGS, name) ? NATIVE_SETTINGS[name] : [];
  let keysLine = entry.line;
  let variablesLine = entry.line;
  let passEnvLine = entry.line;
  for (const field of read.source.entries(entry.value, read.issues, { field: base })) {
    const where = { field: `${base}.${field.key}` };
    if (field.key === 'variables') {
      variablesLine = read.line(field);
      platform.variables =
        read.stringList(field, where, {
          test: SHELL_VARIABLE,
          what: 'a valid shell variable name',
        }) ?? platform.variables;
    } else if (field.key === 'allowed_keys') {
      platform.allowedKeys =
        read.stringList(field, where, {
          test: SHELL_VARIABLE,
          what: 'a valid environment variable name',
        }) ?? platform.allowedKeys;
      keysLine = read.line(field);
    } else if (field.key === 'pass_env') {
      platform.passEnv =
        read.stringList(field, where, {
          test: SHELL_VARIABLE,
          what: 'a valid environment variable name',
        }) ?? platform.passEnv;
      passEnvLine = read.line(field);
    } else if (field.key === 'status_off_exit_code') {
      platform.statusOffExitCode =
        read.integer(field, where, 1, 255, 'an exit code') ?? platform.statusOffExitCode;
    } else if (field.key in COMMANDS) {
      const v = field.value;
      if (isNothing(v)) continue;
      if (!isScalar(v) || typeof v.value === 'object') {
        read.issues.add(read.line(field), `expected a shell command, got ${describe(v)}`, where);
        continue;
      }
      // OpenFlight's template writes `power_on: ''` for "not supported".
      const command = scalarText(v);
      if (command.trim() !== '') platform[COMMANDS[field.key as keyof typeof COMMANDS]] = command;
    } else if (cloudSettings.includes(field.key)) {
      const value = read.text(field, where);
      if (name === 'ipmi' && value !== undefined && !isIpmiDriverName(value)) {
        read.issues.add(read.line(field), ipmiDriverProblem(value), where);
      } else if (value !== undefined) platform.settings[field.key] = value;
    } else {
      const cloud =
        cloudSettings.length > 0 ? `, or for the native driver ${cloudSettings.join(', ')}` : '';
      read.issues.add(
        field.line,
        'unknown platform setting (expected variables, allowed_keys, pass_env, power_on, ' +
          'power_off, restart, status, ' +
          `status_off_exit_code${cloud})`,
        where,
      );
    }
  }
  checkKeys(platform, read, { base, keysLine, variablesLine });
  checkPassEnv(platform, read, { base, line: passEnvLine });
  return platform;
}

/**
 * The platform's variables follow the node-key rule; its allowlist names nothing that runs code.
 */
function checkKeys(
  platform: ShellPlatform,
  read: FieldReader,
  at: { base: string; keysLine: number; variablesLine: number },
): void {
  const allowed = new Set(platform.allowedKeys);
  for (const key of platform.allowedKeys) {
    const refused = nodeKeyRefusal(key, allowed);
    if (refused)
      read.issues.add(at.keysLine, `allowed key "${key}" is refused: ${refused}`, {
        field: `${at.base}.allowed_keys`,
      });
  }
  for (const variable of platform.variables) {
    const refused = nodeKeyRefusal(variable, allowed);
    if (refused)
      read.issues.add(at.variablesLine, `variable "${variable}" is refused: ${refused}`, {
        field: `${at.base}.variables`,
      });
  }
}

/**
 * `pass_env` names controller variables a shell platform's commands receive: none that the
 * clean base fixes, runs code or is Switchboard's own, none that is also a node variable of the
 * platform (one name, two sources), and only on a platform that has commands.
 */
function checkPassEnv(
  platform: ShellPlatform,
  read: FieldReader,
  at: { base: string; line: number },
) {
  const field = { field: `${at.base}.pass_env` };
  if (platform.passEnv.length > 0 && !isShellPlatform(platform))
    read.issues.add(
      at.line,
      'pass_env applies to shell platforms (with commands) only; the native driver takes its ' +
        "credentials from the controller's environment itself",
      field,
    );
  for (const name of platform.passEnv) {
    const refused =
      passEnvRefusal(name) ??
      (platform.variables.includes(name)
        ? "it is also one of the platform's variables, which the node sets"
        : undefined);
    if (refused) read.issues.add(at.line, `pass_env "${name}" is refused: ${refused}`, field);
  }
}

export function isIpmiDriverName(value: string): value is IpmiDriverName {
  return (IPMI_DRIVERS as readonly string[]).includes(value);
}

export function ipmiDriverProblem(value: string): string {
  return `unknown IPMI driver ${JSON.stringify(value)} (expected ${IPMI_DRIVERS.join(' or ')})`;
}

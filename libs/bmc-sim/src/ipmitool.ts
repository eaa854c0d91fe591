import { runProcess } from '@switchboard/process';

import type { BmcEndpoint } from './types';

/**
 * Arguments and environment to run `ipmitool` against a (simulated) BMC over RMCP+:
 * `-I lanplus -C 3` (ipmitool 1.8.19 otherwise first asks for the cipher suites, which
 * ipmi_sim does not answer, and stalls ~10 s) and the password through `-E` and
 * IPMI_PASSWORD, never `-P` (which `ps` would show).
 *
 *   const { args, env } = ipmitoolArgs(bmc, 'chassis', 'power', 'status');
 *   execFile('ipmitool', args, { env });
 *
 * `env` is the current environment plus IPMI_PASSWORD.
 */
export function ipmitoolArgs(
  bmc: BmcEndpoint,
  ...command: string[]
): { args: string[]; env: NodeJS.ProcessEnv } {
  return {
    args: [
      '-I',
      'lanplus',
      '-C',
      '3',
      '-H',
      bmc.host,
      '-p',
      String(bmc.port),
      '-U',
      bmc.username,
      '-E',
      ...command,
    ],
    env: { ...process.env, IPMI_PASSWORD: bmc.password },
  };
}

export interface IpmitoolResult {
  /** Exit status (null when killed, for example by the timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs ipmitool (see ipmitoolArgs) and resolves with its exit status and output; never rejects on a
 * non-zero exit.
 */
export async function runIpmitool(
  bmc: BmcEndpoint,
  command: string[],
  options: { timeoutMs?: number; ipmitoolPath?: string } = {},
): Promise<IpmitoolResult> {
  const { args, env } = ipmitoolArgs(bmc, ...command);
  const result = await runProcess({
    file: options.ipmitoolPath ?? 'ipmitool',
    args,
    env: definedOnly(env),
    timeoutMs: options.timeoutMs ?? 15_000,
    kill: { graceMs: 0 },
  });
  return { code: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

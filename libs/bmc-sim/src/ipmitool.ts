import { execFile } from 'node:child_process';

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

/** Runs ipmitool (see ipmitoolArgs) and resolves with its exit status and output; never rejects on a non-zero exit. */
export function runIpmitool(
  bmc: BmcEndpoint,
  command: string[],
  options: { timeoutMs?: number; ipmitoolPath?: string } = {},
): Promise<IpmitoolResult> {
  const { args, env } = ipmitoolArgs(bmc, ...command);
  return new Promise((resolve, reject) => {
    execFile(
      options.ipmitoolPath ?? 'ipmitool',
      args,
      { env, timeout: options.timeoutMs ?? 15_000, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        if (error && typeof error.code === 'string') return reject(error); // ENOENT and alike
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

import fs from 'node:fs';

import type { BmcConfig, ServerEntry, ShellPlatform } from '@switchboard/inventory';
import { silentLogger } from '@switchboard/logging';

import { DriverError } from '../src/capabilities';
import type { OperationContext } from '../src/capabilities';

/** An operation context with its own deadline and, unless given, a logger that drops everything. */
export function context(
  timeoutMs = 10_000,
  extra: Partial<OperationContext> = {},
): OperationContext {
  return { signal: new AbortController().signal, timeoutMs, logger: silentLogger, ...extra };
}

/** A debug logger that keeps every event, to check what the driver logged (and what it did not). */
export { capturingLogger } from '@switchboard/logging';

/** A native IPMI server as the inventory loader builds it: the password is not enumerable. */
export function ipmiServer(
  name: string,
  endpoint: { host: string; port: number; username: string; password?: string },
  cipherSuite = 3,
): ServerEntry {
  const bmc: BmcConfig = {
    host: endpoint.host,
    port: endpoint.port,
    username: endpoint.username,
    cipherSuite,
  };
  if (endpoint.password !== undefined) {
    Object.defineProperty(bmc, 'password', { value: endpoint.password, enumerable: false });
  }
  return {
    name,
    platform: 'ipmi',
    driver: 'ipmi',
    ranks: ['default'],
    groups: [],
    attributes: {},
    bmc,
    line: 1,
  };
}

export function shellServer(
  name: string,
  platform: string,
  attributes: Record<string, string> = {},
): ServerEntry {
  return { name, platform, driver: 'shell', ranks: ['default'], groups: [], attributes, line: 1 };
}

export function shellPlatform(
  name: string,
  fields: Partial<Omit<ShellPlatform, 'name'>> = {},
): ShellPlatform {
  return {
    name,
    variables: [],
    allowedKeys: [],
    passEnv: [],
    statusOffExitCode: 111,
    settings: {},
    line: 1,
    ...fields,
  };
}

/** Whether a process still runs. An orphan that nobody reaped is a zombie: it runs no more. */
export function isRunning(pid: number): boolean {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

/** Pids of running processes whose command line contains every one of `words`. */
export function runningProcessesWith(...words: string[]): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return words.every((word) => argv.includes(word)) && isRunning(pid);
      } catch {
        return false;
      }
    });
}

export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (!condition()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs `fn`, expecting it to reject, and returns the rejection and how long it took. */
export async function timedRejection(
  fn: () => Promise<unknown>,
): Promise<{ error: unknown; ms: number }> {
  const t0 = Date.now();
  try {
    await fn();
  } catch (error) {
    return { error, ms: Date.now() - t0 };
  }
  throw new Error('expected a rejection, but it resolved');
}

/** The DriverError `p` rejects with (failing the test when it resolves or rejects otherwise). */
export async function rejection(p: Promise<unknown>): Promise<DriverError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DriverError);
  return err as DriverError;
}

import type { BmcConfig } from '@switchboard/inventory';
import { FALLBACK_PATH, ProcessRunner, processRunner } from '@switchboard/process';

import { DriverError, OperationContext } from './capabilities';
import { startDeadline } from './deadline';
import { classifyIpmitoolFailure, withoutChatter } from './ipmitool-failure';
import { MINIMAL_IPMITOOL_HOME } from './ipmitool-home';
import { endpointOf, ipmitoolArgv, retriesFor } from './ipmitool-session';
import { bounded, redact, withoutFinalNewline } from './output-text';

export interface IpmitoolOptions {
  /** Path or name of the binary (default `ipmitool`). */
  ipmitoolPath?: string;
  /** HOME given to ipmitool (default MINIMAL_IPMITOOL_HOME: see there why). */
  ipmitoolHome?: string;
  /** What runs ipmitool (default: the real runner; tests may give a FakeRunner). */
  runner?: ProcessRunner;
}

export interface IpmitoolOutput {
  stdout: string;
  /** Without the chatter `-v` adds to every call. */
  stderr: string;
}

// Far more than any chassis or mc command prints; stops a misbehaving binary from eating memory.
const MAX_OUTPUT_BYTES = 1024 * 1024;

/**
 * Runs `ipmitool -I lanplus … <command>` against one BMC and resolves with its output when it
 * exits 0. Everything else is a DriverError whose message names the BMC, or, when the caller
 * cancels through `ctx.signal`, the signal's reason. A zero exit is not always success
 * (`chassis bootdev` exits 0 when the BMC refuses): callers check stdout for ipmitool's
 * confirmation.
 */
export async function runIpmitool(
  bmc: BmcConfig,
  command: readonly string[],
  ctx: OperationContext,
  options: IpmitoolOptions = {},
): Promise<IpmitoolOutput> {
  const where = `ipmi ${endpointOf(bmc)}`;
  const what = command.join(' ');
  const deadline = startDeadline(ctx);
  const early = deadline.stopReason();
  if (early) {
    deadline.dispose();
    if (early.kind === 'cancelled') throw early.reason;
    throw new DriverError('timeout', `${where}: ${what}: deadline passed before ipmitool started`);
  }

  const retries = retriesFor(ctx.timeoutMs);
  const argv = ipmitoolArgv(bmc, retries, command);
  let result;
  try {
    result = await (options.runner ?? processRunner).run({
      file: options.ipmitoolPath ?? 'ipmitool',
      args: argv,
      // Only what ipmitool needs: the controller's own secrets stay out of its environment.
      env: {
        PATH: process.env.PATH ?? FALLBACK_PATH,
        HOME: options.ipmitoolHome ?? MINIMAL_IPMITOOL_HOME,
        ...(bmc.password !== undefined ? { IPMI_PASSWORD: bmc.password } : {}),
      },
      signal: deadline.signal,
      // ipmitool holds nothing that needs a clean shutdown, and a deadline is a deadline.
      kill: { graceMs: 0 },
      maxOutputBytes: MAX_OUTPUT_BYTES,
      stopOnOverflow: true,
    });
  } catch (err) {
    // Never ran (ENOENT, EACCES).
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new DriverError('command', `${where}: ${what}: ipmitool could not run (${why})`);
  } finally {
    deadline.dispose();
  }

  const ms = result.durationMs;
  const stderr = redact(withoutChatter(withoutFinalNewline(result.stderr)), [bmc.password]);
  const stdout = redact(withoutFinalNewline(result.stdout), [bmc.password]);
  ctx.logger.debug(
    { bmc: endpointOf(bmc), argv, exitCode: result.exitCode, ms },
    'ipmitool finished',
  );

  if (result.cancelled) {
    const stop = deadline.stopReason();
    if (stop?.kind === 'cancelled') throw stop.reason;
    const afterMs = stop?.afterMs ?? ms;
    throw new DriverError(
      'timeout',
      `${where}: ${what}: no answer within ${afterMs} ms`,
      bounded(stderr) || undefined,
    );
  }
  if (result.overflowed || result.droppedBytes.stdout > 0 || result.droppedBytes.stderr > 0) {
    throw new DriverError(
      'command',
      `${where}: ${what}: ipmitool printed more than ${MAX_OUTPUT_BYTES} bytes`,
    );
  }
  if (result.exitCode === null) {
    // Died from a signal someone else sent.
    throw new DriverError(
      'command',
      `${where}: ${what}: ipmitool could not run (killed by ${result.signal ?? 'a signal'})`,
      bounded(stderr) || undefined,
    );
  }
  if (result.exitCode !== 0) {
    throw failure(bmc, what, result.exitCode, stderr);
  }
  return { stdout, stderr };
}

function failure(bmc: BmcConfig, what: string, exitCode: number, stderr: string): DriverError {
  const where = `ipmi ${endpointOf(bmc)}`;
  const { fault, summary, reason } = classifyIpmitoolFailure(stderr);
  const detail = bounded(stderr) || undefined;
  const message =
    fault === 'auth'
      ? `${where}: ${summary} (user ${bmc.username || '(none)'}): ${reason}`
      : fault === 'command'
        ? `${where}: ${what} failed (exit ${exitCode}): ${reason}`
        : `${where}: ${what}: ${summary}: ${reason}`;
  return new DriverError(fault, message, detail, { exitCode });
}

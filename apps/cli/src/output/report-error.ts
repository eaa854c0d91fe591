import { CommanderError } from 'commander';
import { CliError } from '../errors';
import { ExitCode } from '../exit-codes';
import type { Io } from '../io';

/**
 * Status of an error mctl did not expect: a bug, reported without a stack trace unless MCTL_DEBUG
 * is set.
 */
export const INTERNAL_ERROR_EXIT = 70;

/** Prints an error for an operator (never a stack trace) and returns the exit status. */
export function reportError(err: unknown, io: Io): number {
  if (err instanceof CommanderError) {
    // commander already printed its message (or the help / version that was asked for).
    return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
  }
  if (err instanceof CliError) {
    io.stderr.write(`mctl: ${err.message}\n`);
    for (const line of err.details()) io.stderr.write(`${line}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`mctl: internal error: ${message}\n`);
  if (io.env.MCTL_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
  return INTERNAL_ERROR_EXIT;
}

import { ProcessRunner, processRunner } from '@switchboard/process';

import { DriverError, OperationContext } from './capabilities';
import { startDeadline } from './deadline';
import { bounded, withoutFinalNewline } from './output-text';

export interface ScriptOptions {
  /** Script text, run as `bash -c <script> <scriptName>`. */
  script: string;
  /** `$0` of the script, so bash's own errors say which script ("aws/status: line 1: …"). */
  scriptName: string;
  env: Record<string, string>;
  /** Start of every message: "shell aws/status for node01". */
  label: string;
  bashPath?: string;
  /** What runs bash (default: the real runner; tests may give a FakeRunner). */
  runner?: ProcessRunner;
}

export interface ScriptResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

// Power scripts print a line or two; this bounds what a runaway one can make us hold.
const MAX_OUTPUT_BYTES = 256 * 1024;

/**
 * Runs one platform script to its end and resolves with its exit status, whatever it is: what an
 * exit status means is the caller's business. Rejects with a DriverError when the script cannot
 * start or does not finish in time (its whole process group is killed then), or with the
 * caller's reason when `ctx.signal` cancels it.
 *
 * Like OpenFlight Power, it waits until the script's output is closed, not only until bash exits:
 * a background child that keeps stdout open is waited for, until the deadline kills it; bash's
 * exit status still counts then, since bash did finish in time. Nothing of the script's group
 * outlives the run.
 */
export async function runScript(
  options: ScriptOptions,
  ctx: OperationContext,
): Promise<ScriptResult> {
  const { label } = options;
  const deadline = startDeadline(ctx);
  const early = deadline.stopReason();
  if (early) {
    deadline.dispose();
    if (early.kind === 'cancelled') throw early.reason;
    throw new DriverError('timeout', `${label}: deadline passed before the script started`);
  }

  let result;
  try {
    result = await (options.runner ?? processRunner).run({
      file: options.bashPath ?? 'bash',
      args: ['-c', options.script, options.scriptName],
      env: options.env,
      signal: deadline.signal,
      // A deadline is a deadline: the whole group goes at once.
      kill: { graceMs: 0 },
      outputGraceMs: Infinity,
      maxOutputBytes: MAX_OUTPUT_BYTES,
      stopOnOverflow: true,
    });
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new DriverError('command', `${label}: could not run (${why})`);
  } finally {
    deadline.dispose();
  }

  ctx.logger.debug(
    {
      script: options.scriptName,
      exitCode: result.exitCode,
      signal: result.signal,
      ms: result.durationMs,
    },
    'script finished',
  );

  const stopped = deadline.stopReason();
  if (result.cancelled && stopped) {
    if (stopped.kind === 'cancelled') throw stopped.reason;
    throw new DriverError(
      'timeout',
      `${label}: no result within ${stopped.afterMs} ms; the script and every process it ` +
        `started were killed`,
      bounded(result.stderr) || undefined,
    );
  }
  if (result.leftovers) {
    // bash gave its verdict in time; only processes it left behind were still there.
    ctx.logger.warn(
      { script: options.scriptName, exitCode: result.exitCode },
      'script exited in time, but left processes behind; killed them',
    );
  }
  if (result.overflowed || result.droppedBytes.stdout > 0 || result.droppedBytes.stderr > 0) {
    throw new DriverError(
      'command',
      `${label}: printed more than ${MAX_OUTPUT_BYTES} bytes; stopped`,
      bounded(result.stderr) || undefined,
    );
  }
  if (result.exitCode === null) {
    const why = result.signal ? `killed by ${result.signal}` : 'unknown error';
    throw new DriverError(
      'command',
      `${label}: could not run (${why})`,
      bounded(result.stderr) || undefined,
    );
  }
  return {
    exitCode: result.exitCode,
    stdout: withoutFinalNewline(result.stdout),
    stderr: withoutFinalNewline(result.stderr),
  };
}

import { execa } from 'execa';

import { DriverError, OperationContext } from './capabilities';
import { startDeadline } from './deadline';
import { bounded } from './output-text';
import { killProcessGroup, trackProcessGroup } from './process-group';

export interface ScriptOptions {
  /** Script text, run as `bash -c <script> <scriptName>`. */
  script: string;
  /** `$0` of the script, so bash's own errors say which script ("aws/status: line 1: …"). */
  scriptName: string;
  env: Record<string, string>;
  /** Start of every message: "shell aws/status for node01". */
  label: string;
  bashPath?: string;
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
 * exit status still counts then, since bash did finish in time.
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

  const started = Date.now();
  const subprocess = execa(options.bashPath ?? 'bash', ['-c', options.script, options.scriptName], {
    env: options.env,
    extendEnv: false,
    // Its own process group, so the deadline reaches the script's children too.
    detached: true,
    stdin: 'ignore',
    reject: false,
    maxBuffer: MAX_OUTPUT_BYTES,
  });
  const pgid = subprocess.pid;
  const untrack = pgid !== undefined ? trackProcessGroup(pgid) : () => undefined;
  const stop = (): void => {
    if (pgid !== undefined) killProcessGroup(pgid);
  };
  deadline.signal.addEventListener('abort', stop, { once: true });

  let result;
  try {
    result = await subprocess;
  } finally {
    deadline.signal.removeEventListener('abort', stop);
    deadline.dispose();
    untrack();
  }

  const ms = Date.now() - started;
  ctx.logger.debug(
    { script: options.scriptName, exitCode: result.exitCode, signal: result.signal, ms },
    'script finished',
  );

  const stopped = deadline.stopReason();
  if (stopped && result.exitCode === undefined) {
    if (stopped.kind === 'cancelled') throw stopped.reason;
    throw new DriverError(
      'timeout',
      `${label}: no result within ${stopped.afterMs} ms; the script and every process it started were killed`,
      bounded(result.stderr) || undefined,
    );
  }
  if (stopped) {
    // bash gave its verdict in time; only processes it left behind held the output open.
    ctx.logger.warn(
      { script: options.scriptName, exitCode: result.exitCode },
      'script exited in time, but processes it started kept its output open until stopped; killed them',
    );
  }
  if (result.isMaxBuffer) {
    stop();
    throw new DriverError(
      'command',
      `${label}: printed more than ${MAX_OUTPUT_BYTES} bytes; stopped`,
      bounded(result.stderr) || undefined,
    );
  }
  if (result.exitCode === undefined) {
    const why =
      result.code ??
      (result.signal ? `killed by ${result.signal}` : (result.originalMessage ?? 'unknown error'));
    throw new DriverError(
      'command',
      `${label}: could not run (${why})`,
      bounded(result.stderr) || undefined,
    );
  }
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}

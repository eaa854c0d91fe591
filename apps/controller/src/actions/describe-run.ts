import type { RunCommandResult } from '@switchboard/commands';
import type { ActionResult } from '@switchboard/condition-types';
import { formatSeconds } from '../errors/describe-fault';
import type { Outcome } from '@switchboard/condition-queue';

export interface RunContext {
  /** What ran where, as records say it: "usage/metal.sh on node01". */
  where: string;
  timeoutMs: number;
  /** Set when a cancel request stopped the script. */
  cancelledBy?: string;
  /** This replica's id, for a script stopped because it shuts down. */
  controllerId: string;
}

/**
 * stderr lines quoted in an error: enough to say why, not the script's whole output (that is in the
 * output stream).
 */
const STDERR_LINES = 3;
const STDERR_LINE_CHARS = 200;

function stderrTail(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(-STDERR_LINES)
    .map((line) =>
      line.length > STDERR_LINE_CHARS ? `${line.slice(0, STDERR_LINE_CHARS)}…` : line,
    );
  return lines.length > 0 ? `; stderr: ${lines.join(' | ')}` : '';
}

/**
 * How a command's run ends the condition: exit 0 succeeds with `{exit_code: 0, script}`;
 * anything else fails with one line saying what happened where, and the same result shape
 * (exit code, signal), so a client can tell a status 3 from a timeout without parsing text.
 */
export function actionOutcome(run: RunCommandResult, ctx: RunContext): Outcome {
  const result: ActionResult = {
    exit_code: run.exitCode,
    ...(run.signal ? { signal: run.signal } : {}),
    script: run.script,
  };
  const failed = (error: string): Outcome => ({ state: 'failed', error, result });
  if (run.cancelled) {
    if (ctx.cancelledBy !== undefined) return failed(`cancelled by ${ctx.cancelledBy}`);
    // Only a shutdown aborts a run otherwise: the script was cut short, and it is not re-run
    // elsewhere.
    return failed(
      `interrupted: controller ${ctx.controllerId} shut down while ${ctx.where} ran ` +
        `(process group killed); not re-run (outcome unknown)`,
    );
  }
  if (run.timedOut)
    return failed(
      `${ctx.where} timed out after ${formatSeconds(ctx.timeoutMs)} (process group killed)`,
    );
  if (run.exitCode === 0)
    return { state: 'succeeded', result, record: `succeeded: ${JSON.stringify(result)}` };
  if (run.exitCode !== null)
    return failed(`${ctx.where} exited with status ${run.exitCode}${stderrTail(run.stderr)}`);
  return failed(`${ctx.where} was killed by ${run.signal ?? 'a signal'}${stderrTail(run.stderr)}`);
}

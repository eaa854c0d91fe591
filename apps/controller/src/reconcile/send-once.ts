import type { OperationContext } from '@switchboard/drivers';
import type { ReconcileContext } from './context';
import { CallFailed } from './driver-call';
import { acknowledgedRecord, NonIdempotentCommand, sendingRecord } from './redelivery-rule';

/**
 * Sends a non-idempotent command exactly once, bracketed by the records the redelivery rule
 * reads: `sending <command>` before, `<command> acknowledged` after. Never retried, not even
 * on a timeout: the BMC may have acted on it. Resolves 'acknowledged', or 'unknown' when the
 * call timed out and `onTimeout` is 'continue' (a BMC reset often drops the reply); any other
 * failure ends the condition.
 */
export async function sendOnce(
  ctx: ReconcileContext,
  command: NonIdempotentCommand,
  call: (op: OperationContext) => Promise<void>,
  opts: { onTimeout: 'fail' | 'continue' },
): Promise<'acknowledged' | 'unknown'> {
  await ctx.progress.record(sendingRecord(command));
  try {
    await ctx.calls.run(command, call, { retry: false });
  } catch (err) {
    if (err instanceof CallFailed && err.fault === 'timeout') {
      if (opts.onTimeout === 'continue') {
        await ctx.progress.record(
          `no answer to the ${command} (${err.message}); not repeated, it may have been received`,
        );
        return 'unknown';
      }
      throw new CallFailed(
        `${err.message}; the ${command} was not repeated because the BMC may have received it`,
        err.fault,
      );
    }
    throw err;
  }
  await ctx.progress.record(acknowledgedRecord(command));
  return 'acknowledged';
}

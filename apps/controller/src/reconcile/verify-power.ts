import { setTimeout as sleep } from 'node:timers/promises';
import type { PowerState } from '@switchboard/condition-types';
import { DriverError } from '@switchboard/drivers';
import { formatSeconds } from '../errors/describe-fault';
import { ConditionFailure } from '@switchboard/condition-queue';
import { need, ReconcileContext } from './context';

/**
 * VERIFICATION: after a power command, poll the power state until it reads `target`, and
 * only then may the condition succeed. A BMC that acknowledged the command but whose server
 * does not change ends the condition `failed` with "state did not change: power still off
 * after 20 s". Reads that time out meanwhile are tolerated (a busy BMC) until the deadline;
 * an authentication refusal or an unsupported read ends it at once.
 */
export async function verifyPower(target: PowerState, ctx: ReconcileContext): Promise<void> {
  const getter = need(ctx, 'powerGetter', 'to verify the change');
  const { verifyTimeoutMs, pollIntervalMs, pollMaxIntervalMs } = ctx.timing;
  await ctx.progress.record(`verifying: ${target}`);
  const started = Date.now();
  const deadline = started + verifyTimeoutMs;
  let interval = pollIntervalMs;
  let lastReading: PowerState | undefined;
  let lastError: unknown;
  // Bounded by the deadline: every round waits at least pollIntervalMs.
  for (let round = 1; ; round++) {
    const read = await ctx.calls.probe('read power state', (op) => getter.powerState(op));
    if (read.ok) {
      lastReading = read.value;
      if (read.value === target) {
        ctx.progress.note(`power is ${target}`);
        return;
      }
    } else {
      lastError = read.error;
      if (
        read.error instanceof DriverError &&
        (read.error.fault === 'auth' || read.error.fault === 'unsupported')
      ) {
        throw new ConditionFailure(ctx.calls.describe(read.error, `verify power ${target}`));
      }
      ctx.logger.debug(
        { event: 'verify.read_failed', round, err: (read.error as Error).message },
        'power read failed while verifying',
      );
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(interval, left), undefined, { signal: ctx.signal }).catch(() => {
      throw ctx.signal.reason;
    });
    interval = Math.min(pollMaxIntervalMs, Math.round(interval * 1.5));
  }
  const waited = formatSeconds(Date.now() - started);
  if (lastReading !== undefined) {
    throw new ConditionFailure(
      `state did not change: power still ${lastReading} after ${waited} (expected ${target})`,
    );
  }
  throw new ConditionFailure(
    `could not verify power ${target} within ${waited}: ${ctx.calls.describe(lastError, 'read power state')}`,
  );
}

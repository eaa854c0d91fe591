import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerControlResult } from '@switchboard/condition-types';
import { DriverError } from '@switchboard/drivers';
import { formatSeconds } from '../errors/describe-fault';
import { ConditionFailure } from '@switchboard/condition-queue';
import { need, ReconcileContext } from './context';
import { lastCommand, resumeBmcReset } from './redelivery-rule';
import { sendOnce } from './send-once';

/**
 * power_cycle_bmc: `mc reset cold` once (non-idempotent, see the redelivery rule), then wait
 * until the BMC answers again (a power state read succeeds), within VERIFY_TIMEOUT_MS.
 */
export async function resetBmc(ctx: ReconcileContext): Promise<ServerControlResult> {
  const resetter = need(ctx, 'bmcResetter');
  const getter = ctx.driver.powerGetter;

  const trace = ctx.takeover ? lastCommand(ctx.takeover.previousRecords) : undefined;
  if (trace?.command === 'BMC reset') {
    const answers = getter
      ? (await ctx.calls.probe('read power state', (op) => getter.powerState(op))).ok
      : true;
    const resume = resumeBmcReset(trace, answers);
    await ctx.progress.record(resume.record);
    if (resume.kind === 'succeed') return { bmc_reset: true };
  } else {
    await sendOnce(ctx, 'BMC reset', (op) => resetter.resetBmc(op), { onTimeout: 'continue' });
    if (ctx.timing.bmcResetSettleMs > 0) {
      await sleep(ctx.timing.bmcResetSettleMs, undefined, { signal: ctx.signal }).catch(() => {
        throw ctx.signal.reason;
      });
    }
  }
  if (!getter) {
    await ctx.progress.record(
      `platform ${ctx.platform} cannot read the power state, so the BMC coming back is not checked`,
    );
    return { bmc_reset: true };
  }
  await waitForBmc(ctx, (op) => getter.powerState(op));
  return { bmc_reset: true };
}

async function waitForBmc(
  ctx: ReconcileContext,
  read: Parameters<ReconcileContext['calls']['probe']>[1],
): Promise<void> {
  const { verifyTimeoutMs, pollIntervalMs, pollMaxIntervalMs } = ctx.timing;
  await ctx.progress.record('waiting for the BMC to answer again');
  const started = Date.now();
  const deadline = started + verifyTimeoutMs;
  let interval = pollIntervalMs;
  let lastError: unknown;
  for (;;) {
    const r = await ctx.calls.probe('read power state', read);
    if (r.ok) {
      await ctx.progress.record(`the BMC answers again (power is ${String(r.value)})`);
      return;
    }
    lastError = r.error;
    if (r.error instanceof DriverError && r.error.fault === 'auth') {
      throw new ConditionFailure(ctx.calls.describe(r.error, 'check the BMC after its reset'));
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(interval, left), undefined, { signal: ctx.signal }).catch(() => {
      throw ctx.signal.reason;
    });
    interval = Math.min(pollMaxIntervalMs, Math.round(interval * 1.5));
  }
  throw new ConditionFailure(
    `the BMC did not answer again within ${formatSeconds(Date.now() - started)} after its reset: ${ctx.calls.describe(lastError, 'read power state')}`,
  );
}

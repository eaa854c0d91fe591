import { ConditionFailure } from '@switchboard/condition-queue';
import type { ServerControlResult } from '@switchboard/condition-types';
import { DriverError, PowerGetter } from '@switchboard/drivers';
import { formatSeconds } from '../errors/describe-fault';
import { need, ReconcileContext } from './context';
import { pollUntil, sleep } from './poll';
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
    if (resume.kind === 'fail') throw new ConditionFailure(resume.reason);
    await ctx.progress.record(resume.record);
    if (resume.kind === 'succeed') return { bmc_reset: true };
  } else {
    await sendOnce(ctx, 'BMC reset', (op) => resetter.resetBmc(op), { onTimeout: 'continue' });
    if (ctx.timing.bmcResetSettleMs > 0) await sleep(ctx.timing.bmcResetSettleMs, ctx.signal);
  }
  if (!getter) {
    await ctx.progress.record(
      `platform ${ctx.platform} cannot read the power state, so the BMC coming back is not checked`,
    );
    return { bmc_reset: true };
  }
  await waitForBmc(ctx, getter);
  return { bmc_reset: true };
}

/** Reads the power state until the BMC answers; a refused login ends it at once. */
async function waitForBmc(ctx: ReconcileContext, getter: PowerGetter): Promise<void> {
  await ctx.progress.record('waiting for the BMC to answer again');
  let lastError: unknown;
  const polled = await pollUntil(
    async () => {
      const r = await ctx.calls.probe('read power state', (op) => getter.powerState(op));
      if (r.ok) return r.value;
      lastError = r.error;
      if (r.error instanceof DriverError && r.error.fault === 'auth') {
        throw new ConditionFailure(ctx.calls.describe(r.error, 'check the BMC after its reset'));
      }
      return undefined;
    },
    ctx.timing.verify,
    ctx.signal,
  );
  if ('value' in polled) {
    await ctx.progress.record(`the BMC answers again (power is ${String(polled.value)})`);
    return;
  }
  throw new ConditionFailure(
    `the BMC did not answer again within ${formatSeconds(polled.elapsedMs)} after its reset: ` +
      ctx.calls.describe(lastError, 'read power state'),
  );
}

import type { PowerAction, PowerState, ServerControlResult } from '@switchboard/condition-types';
import { need, ReconcileContext } from './context';
import { readPower } from './power-state';
import { lastCommand, NonIdempotentCommand, resumePowerCommand } from './redelivery-rule';
import { sendOnce } from './send-once';
import { verifyPower } from './verify-power';

/** The power state each action must end in. */
export const targetOf: Record<PowerAction, PowerState> = {
  on: 'on',
  off: 'off',
  soft: 'off',
  cycle: 'on',
  reset: 'on',
};

const restartCommand: Partial<Record<PowerAction, NonIdempotentCommand>> = {
  cycle: 'power cycle',
  reset: 'power reset',
};

const saying: Record<'on' | 'off' | 'soft', string> = {
  on: 'powering on',
  off: 'powering off',
  soft: 'soft power off: asking the operating system to shut down',
};

/**
 * set_power_state: read the power state, act, verify.
 *  - on / off / soft are idempotent: already in the target state -> nothing to send;
 *    otherwise send it (retrying timeouts) and verify; a takeover simply runs them again.
 *  - cycle / reset must leave the server on, rebooted. A server that is off is powered on
 *    instead (a reset does nothing to a server that is off). A server that is on gets the
 *    command once (see send-once.ts), then is verified on. After a takeover the redelivery
 *    rule decides instead (redelivery-rule.ts).
 */
export async function setPowerState(
  action: PowerAction,
  ctx: ReconcileContext,
): Promise<ServerControlResult> {
  const setter = need(ctx, 'powerSetter');
  need(ctx, 'powerGetter', 'to verify the change');
  const target = targetOf[action];
  const command = restartCommand[action];

  if (command) {
    const trace = ctx.takeover ? lastCommand(ctx.takeover.previousRecords) : undefined;
    if (trace?.command === command) {
      const resume = resumePowerCommand(trace, trace.acknowledged ? 'on' : await readPower(ctx));
      if (resume.kind === 'succeed') {
        await ctx.progress.record(resume.record);
        return { power_state: 'on' };
      }
      if (resume.kind === 'power-on') {
        await ctx.progress.record(resume.record);
        await ctx.calls.run('set power on', (op) => setter.setPower('on', op));
      }
      await verifyPower('on', ctx);
      return { power_state: 'on' };
    }
    const now = await readPower(ctx);
    if (now === 'off') {
      await ctx.progress.record(`the server is off: powering on instead of a ${command}`);
      await ctx.calls.run('set power on', (op) => setter.setPower('on', op));
    } else {
      await sendOnce(ctx, command, (op) => setter.setPower(action, op), { onTimeout: 'fail' });
    }
    await verifyPower('on', ctx);
    return { power_state: 'on' };
  }

  const idempotent = action as 'on' | 'off' | 'soft';
  const now = await readPower(ctx);
  if (now === target) {
    ctx.progress.note(`power is already ${target}: nothing to do`);
    return { power_state: target };
  }
  await ctx.progress.record(saying[idempotent]);
  await ctx.calls.run(`set power ${idempotent}`, (op) => setter.setPower(idempotent, op));
  await verifyPower(target, ctx);
  return { power_state: target };
}

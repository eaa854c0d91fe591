import { ConditionFailure } from '@switchboard/condition-queue';
import type { PowerAction, PowerState, ServerControlResult } from '@switchboard/condition-types';
import { DriverError, OperationContext } from '@switchboard/drivers';
import { formatSeconds } from '../errors/describe-fault';
import { need, ReconcileContext } from './context';
import { pollUntil } from './poll';
import { lastCommand, NonIdempotentCommand, resumePowerCommand } from './redelivery-rule';
import { sendOnce } from './send-once';
import { noteTransition, transitionOf } from './transitions';

/** The power state each action must end in. */
export const targetOf: Record<PowerAction, PowerState> = {
  on: 'on',
  off: 'off',
  soft: 'off',
  cycle: 'on',
  reset: 'on',
};

const restartCommand = { cycle: 'power cycle', reset: 'power reset' } as const;

const saying: Record<'on' | 'off' | 'soft', string> = {
  on: 'powering on',
  off: 'powering off',
  soft: 'soft power off: asking the operating system to shut down',
};

/** get_power_state. */
export async function getPowerState(ctx: ReconcileContext): Promise<ServerControlResult> {
  const power = await readPower(ctx);
  ctx.progress.note(`power is ${power}`);
  const detail = ctx.driver.powerStatusGetter;
  if (!detail) return { power_state: power };
  // A cloud node: OpenFlight's word too, read once it has settled.
  const reading = await ctx.calls.run('read power status', (op) => detail.powerStatus(op));
  return reading.power === power
    ? { power_state: power, power_status: reading.status }
    : { power_state: power };
}

/**
 * set_power_state: read the power state, act, verify.
 *  - on / off / soft are idempotent: already in the target state -> nothing to send;
 *    otherwise send it (retrying timeouts) and verify; a takeover simply runs them again.
 *  - cycle / reset must leave the server on, rebooted: see restart().
 */
export async function setPowerState(
  action: PowerAction,
  ctx: ReconcileContext,
): Promise<ServerControlResult> {
  const setter = need(ctx, 'powerSetter');
  need(ctx, 'powerGetter', 'to verify the change');
  if (action === 'cycle' || action === 'reset') {
    const command = restartCommand[action];
    await restart(ctx, command, (op) => setter.setPower(action, op), {
      whenOff: `the server is off: powering on instead of a ${command}`,
    });
    return { power_state: 'on' };
  }
  const target = targetOf[action];
  if ((await readPower(ctx)) === target) {
    ctx.progress.note(`power is already ${target}: nothing to do`);
    return { power_state: target };
  }
  await ctx.progress.record(saying[action]);
  await ctx.calls.run(`set power ${action}`, (op) => setter.setPower(action, op));
  await verifyPower(target, ctx);
  return { power_state: target };
}

/**
 * Reboots the server with a non-idempotent command and leaves it verified on. A server that
 * is off is powered on instead (a reset or cycle does nothing to it) with the record `whenOff`.
 * A server that is on gets the command once (send-once.ts). After a takeover the redelivery
 * rule decides instead (redelivery-rule.ts): never a second command.
 */
export async function restart(
  ctx: ReconcileContext,
  command: Extract<NonIdempotentCommand, 'power cycle' | 'power reset'>,
  send: (op: OperationContext) => Promise<void>,
  opts: { whenOff: string },
): Promise<void> {
  const setter = need(ctx, 'powerSetter');
  const powerOn = () => ctx.calls.run('set power on', (op) => setter.setPower('on', op));
  const trace = ctx.takeover ? lastCommand(ctx.takeover.previousRecords) : undefined;
  if (trace?.command === command) {
    const resume = resumePowerCommand(trace, trace.acknowledged ? 'on' : await readPower(ctx));
    if (resume.kind === 'fail') throw new ConditionFailure(resume.reason);
    if (resume.kind === 'power-on') {
      await ctx.progress.record(resume.record);
      await powerOn();
    }
  } else if ((await readPower(ctx)) === 'off') {
    await ctx.progress.record(opts.whenOff);
    await powerOn();
  } else {
    await sendOnce(ctx, command, send, { onTimeout: 'fail' });
  }
  await verifyPower('on', ctx);
}

/**
 * Reads the power state (with retries for timeouts); a failure ends the condition. A cloud
 * node between two states (EC2 `stopping`, Azure `deallocating`) is waited out until it
 * settles, each state it passes through recorded as progress, within VERIFY_TIMEOUT_MS.
 */
export async function readPower(ctx: ReconcileContext, purpose?: string): Promise<PowerState> {
  const getter = need(ctx, 'powerGetter', purpose);
  const seen = new Set<string>();
  let last: string | undefined;
  const polled = await pollUntil(
    async () => {
      try {
        return await ctx.calls.run('read power state', (op) => getter.powerState(op));
      } catch (err) {
        const transition = transitionOf(err);
        if (!transition) throw err;
        last = transition.message;
        await noteTransition(ctx, err, seen);
        return undefined;
      }
    },
    ctx.timing.verify,
    ctx.signal,
  );
  if ('value' in polled) return polled.value;
  throw new ConditionFailure(
    `state did not settle: ${last ?? 'unknown'} after ${formatSeconds(polled.elapsedMs)}`,
  );
}

/**
 * VERIFICATION: after a power command, poll the power state until it reads `target`, and
 * only then may the condition succeed. A BMC that acknowledged the command but whose server
 * does not change ends the condition `failed` with "state did not change: power still off
 * after 20 s". Reads that time out meanwhile are tolerated (a busy BMC) until the deadline;
 * an authentication refusal or an unsupported read ends it at once.
 */
export async function verifyPower(target: PowerState, ctx: ReconcileContext): Promise<void> {
  const getter = need(ctx, 'powerGetter', 'to verify the change');
  await ctx.progress.record(`verifying: ${target}`);
  let lastReading: PowerState | undefined;
  let lastError: unknown;
  const transitions = new Set<string>();
  const polled = await pollUntil(
    async (round) => {
      const read = await ctx.calls.probe('read power state', (op) => getter.powerState(op));
      if (read.ok) {
        lastReading = read.value;
        lastError = undefined;
        return read.value === target ? true : undefined;
      }
      lastError = read.error;
      if (
        read.error instanceof DriverError &&
        (read.error.fault === 'auth' || read.error.fault === 'unsupported')
      ) {
        throw new ConditionFailure(ctx.calls.describe(read.error, `verify power ${target}`));
      }
      // A cloud node passing through `stopping`: progress, not a failure.
      await noteTransition(ctx, read.error, transitions);
      ctx.logger.debug(
        { event: 'verify.read_failed', round, err: (read.error as Error).message },
        'power read failed while verifying',
      );
      return undefined;
    },
    ctx.timing.verify,
    ctx.signal,
  );
  if ('value' in polled) {
    ctx.progress.note(`power is ${target}`);
    return;
  }
  const waited = formatSeconds(polled.elapsedMs);
  const transition = transitionOf(lastError);
  if (transition) {
    throw new ConditionFailure(
      `state did not settle: ${transition.message} after ${waited} (expected ${target})`,
    );
  }
  if (lastReading !== undefined) {
    throw new ConditionFailure(
      `state did not change: power still ${lastReading} after ${waited} (expected ${target})`,
    );
  }
  throw new ConditionFailure(
    `could not verify power ${target} within ${waited}: ` +
      ctx.calls.describe(lastError, 'read power state'),
  );
}

import { ConditionFailure } from '@switchboard/condition-queue';
import {
  ESTATE_EXIT_CODES,
  EstateErrorCode,
  EstateResult,
  PowerState,
} from '@switchboard/condition-types';
import {
  DriverError,
  MachineTypeGetter,
  MachineTypeSetter,
  PowerGetter,
  PowerSetter,
} from '@switchboard/drivers';
import type { ReconcileContext } from '../reconcile/context';
import { CallFailed } from '../reconcile/driver-call';
import { readPower, verifyPower } from '../reconcile/power';
import { EstateFailure } from './estate-failure';
import { abstractOf, MachineTypeTable } from './machine-types';

export interface EstateDrivers {
  getter: MachineTypeGetter;
  setter?: MachineTypeSetter;
  power?: { getter: PowerGetter; setter: PowerSetter };
}

/** Our name for the driver's refusal codes, when OpenFlight has an exit code for them. */
function estateCode(err: unknown): EstateErrorCode | undefined {
  const cause = err instanceof CallFailed ? err.driverError : err;
  const code = cause instanceof DriverError ? cause.code : undefined;
  return code === 'wrong_family' || code === 'unknown_type' ? code : undefined;
}

/** estate show: the cloud's type and the abstract type it maps to (or `unknown`). */
export async function showMachineType(
  ctx: ReconcileContext,
  drivers: EstateDrivers,
  table: MachineTypeTable,
): Promise<EstateResult> {
  const concrete = await ctx.calls.run('read machine type', (op) => drivers.getter.machineType(op));
  const abstract = abstractOf(table.get(drivers.getter.catalog), concrete) ?? 'unknown';
  ctx.progress.note(`machine type is ${abstract} (${concrete})`);
  return { machine_type: abstract, instance_type: concrete };
}

/**
 * estate change, in OpenFlight's order: the same type is a success with nothing done;
 * otherwise the cloud is asked whether it can take the type (another family: refused, 103,
 * before anything changed), the node is shut down and waited for until it reads off, the type
 * changed, and the node powered on again only if it was on. A step that fails after the node
 * was shut down powers it on again when it was on, and the failure says what state it was left in.
 */
export async function changeMachineType(
  requested: string,
  ctx: ReconcileContext,
  drivers: EstateDrivers,
  table: MachineTypeTable,
): Promise<EstateResult> {
  const { getter, setter, power } = drivers;
  const types = table.get(getter.catalog);
  if (!setter || !power) {
    throw EstateFailure.coded(
      'unsupported_platform',
      `platform ${ctx.platform} cannot change the machine type of ${ctx.server}`,
    );
  }
  const isAbstract = /^(general|compute|gpu|mem)-(small|medium|large)$/.test(requested);
  const target = types?.get(requested) ?? (isAbstract ? undefined : requested);
  if (target === undefined) {
    const known = [...(types?.keys() ?? [])].join(', ') || 'none';
    throw EstateFailure.coded(
      'unknown_type',
      `unknown machine type ${requested} for platform ${getter.catalog} (mapped: ${known})`,
    );
  }
  const named = (concrete: string) => `${abstractOf(types, concrete) ?? 'unknown'} (${concrete})`;
  const current = await ctx.calls.run('read machine type', (op) => getter.machineType(op));
  if (current === target) {
    ctx.progress.note(`machine type is already ${named(target)}: nothing to do`);
    return {
      machine_type: abstractOf(types, target) ?? 'unknown',
      instance_type: target,
      changed: false,
    };
  }
  try {
    await ctx.calls.run(`check machine type ${target}`, (op) =>
      setter.checkMachineType(target, op),
    );
  } catch (err) {
    const code = estateCode(err);
    if (code) throw EstateFailure.coded(code, (err as Error).message);
    throw err;
  }

  const wasOn = (await readPower(ctx, 'to change the machine type')) === 'on';
  const restore = async (why: unknown): Promise<never> => {
    const reason = (why as Error)?.message ?? String(why);
    let left: PowerState | undefined;
    if (wasOn) {
      try {
        await ctx.progress.record(`powering on again after a failed step: ${reason}`);
        await ctx.calls.run('set power on', (op) => power.setter.setPower('on', op));
        await verifyPower('on', ctx);
        left = 'on';
      } catch (again) {
        const probe = await ctx.calls.probe('read power state', (op) =>
          power.getter.powerState(op),
        );
        left = probe.ok ? probe.value : undefined;
        ctx.logger.warn(
          { event: 'estate.restore_failed', err: (again as Error).message },
          'restore failed',
        );
      }
    } else {
      const probe = await ctx.calls.probe('read power state', (op) => power.getter.powerState(op));
      left = probe.ok ? probe.value : undefined;
    }
    const state = left ? `left ${left}` : 'power state unknown';
    const code = estateCode(why);
    throw new EstateFailure(`${reason}; ${ctx.server} ${state}, machine type ${named(current)}`, {
      machine_type: abstractOf(types, current) ?? 'unknown',
      instance_type: current,
      changed: false,
      ...(left ? { power_state: left } : {}),
      ...(code ? { error_code: code, exit_code: ESTATE_EXIT_CODES[code] } : {}),
    });
  };

  try {
    if (wasOn) {
      await ctx.progress.record(`shutting down ${ctx.server} to change its machine type`);
      await ctx.calls.run('set power soft', (op) => power.setter.setPower('soft', op));
      await verifyPower('off', ctx);
    }
    await ctx.progress.record(`changing machine type from ${named(current)} to ${named(target)}`);
    await ctx.calls.run(`set machine type ${target}`, (op) => setter.setMachineType(target, op));
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    return restore(err);
  }
  if (wasOn) {
    await ctx.progress.record(`powering ${ctx.server} on again`);
    try {
      await ctx.calls.run('set power on', (op) => power.setter.setPower('on', op));
      await verifyPower('on', ctx);
    } catch (err) {
      if (ctx.signal.aborted || !(err instanceof ConditionFailure)) throw err;
      throw new EstateFailure(
        `machine type changed to ${named(target)}, but powering on again failed: ${err.message}`,
        {
          machine_type: abstractOf(types, target) ?? 'unknown',
          instance_type: target,
          changed: true,
        },
      );
    }
  }
  ctx.progress.note(`machine type is ${named(target)}`);
  return {
    machine_type: abstractOf(types, target) ?? 'unknown',
    instance_type: target,
    changed: true,
    power_state: wasOn ? 'on' : 'off',
  };
}

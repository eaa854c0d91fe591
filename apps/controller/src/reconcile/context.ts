import type { StatusRecord } from '@switchboard/condition-types';
import type { Driver } from '@switchboard/drivers';
import type { Logger } from '@switchboard/logging';
import { ConditionFailure } from '@switchboard/condition-queue';
import type { DriverCalls } from './driver-call';
import type { PollTiming } from './poll';
import type { Progress } from '@switchboard/condition-queue';

export interface ReconcileTiming {
  /**
   * Reading until a power change (or a BMC coming back) shows: VERIFY_TIMEOUT_MS, then
   * VERIFY_INTERVAL_MS growing to 1 s.
   */
  verify: PollTiming;
  /** Pause after a BMC reset before checking that it answers (it answers for a moment first). */
  bmcResetSettleMs: number;
}

/**
 * Everything one serverControl action needs: the server's driver, the condition's progress and the
 * clock.
 */
export interface ReconcileContext {
  server: string;
  /** How messages name the platform: the inventory's platform name, else the driver kind. */
  platform: string;
  driver: Driver;
  calls: DriverCalls;
  progress: Progress;
  timing: ReconcileTiming;
  /** Aborted when the work is handed back. */
  signal: AbortSignal;
  logger: Logger;
  /**
   * Set when this replica took the condition over: the records as the previous holder left them.
   */
  takeover?: { previousRecords: readonly StatusRecord[] };
}

type Capability =
  'powerGetter' | 'powerSetter' | 'bootDeviceSetter' | 'bootDeviceGetter' | 'bmcResetter';

const doing: Record<Capability, string> = {
  powerGetter: 'read the power state',
  powerSetter: 'set the power state',
  bootDeviceSetter: 'set the boot device',
  bootDeviceGetter: 'read the boot device',
  bmcResetter: 'reset its BMC',
};

/**
 * The driver's capability, or a failure "platform X cannot <do Y>". The controller asks for
 * capabilities only, never for platform names; `purpose` says why it is needed when that is
 * not obvious ("to verify the change").
 */
export function need<C extends Capability>(
  ctx: ReconcileContext,
  capability: C,
  purpose?: string,
): NonNullable<Driver[C]> {
  const found = ctx.driver[capability];
  if (!found)
    throw new ConditionFailure(
      `platform ${ctx.platform} cannot ${doing[capability]}${purpose ? ` ${purpose}` : ''}`,
    );
  return found as NonNullable<Driver[C]>;
}

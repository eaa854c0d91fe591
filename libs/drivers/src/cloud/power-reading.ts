import type { PowerState } from '@switchboard/condition-types';
import { DriverError, OperationContext, PowerGetter, PowerStatusGetter } from '../capabilities';
import type { PowerStatusReading } from '../capabilities';

export type CloudPowerReading = PowerStatusReading;

/**
 * The power state of a reading, or a 'transitional' failure naming the cloud's state, which the
 * controller waits out (reporting it as progress) until its deadline.
 */
export function settledPower(label: string, reading: CloudPowerReading): PowerState {
  if (reading.power !== undefined) return reading.power;
  throw new DriverError(
    'transitional',
    `${label} is ${reading.cloudState} (${reading.status})`,
    undefined,
    {
      code: reading.cloudState,
    },
  );
}

/**
 * Both power readers of a cloud driver from its one reading: the detailed one (OpenFlight's
 * words, transitional states included) and the settled one the controller verifies with.
 */
export function cloudPowerReaders(
  label: string,
  reading: (ctx: OperationContext) => Promise<CloudPowerReading>,
): { powerGetter: PowerGetter; powerStatusGetter: PowerStatusGetter } {
  return {
    powerGetter: { powerState: async (ctx) => settledPower(label, await reading(ctx)) },
    powerStatusGetter: { powerStatus: reading },
  };
}

import type { PowerState } from '@switchboard/condition-types';
import { DriverError, PowerStatusReading } from '../capabilities';

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

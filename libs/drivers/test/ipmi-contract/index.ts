import {
  SimulatedBmc,
  SimulatedFleet,
  allocateLoopbackAddresses,
  startSimulatedFleet,
} from '@switchboard/bmc-sim';

import { ipmiServer } from '../helpers';
import { bootCases } from './boot';
import { failureCases } from './failures';
import { identityCases } from './identity';
import { powerCases } from './power';
import { resetCases } from './reset';
import { BOOT_CASES, ContractSubject, ContractWorld, PASSWORD, POWER_CASES } from './world';

export type { ContractSubject } from './world';

/**
 * The behaviour every driver of the `ipmi` platform owes the controller, run against real
 * ipmi_sim BMCs. Each driver's spec calls this with its own factory; answers are cross-checked
 * with a plain ipmitool on the same BMC and with the simulator's own state. What only one
 * driver does (ipmitool's argv) is tested in that driver's own spec.
 */
export function ipmiDriverContract(subject: ContractSubject): void {
  describe(`the ipmi driver contract: ${subject.name}`, () => {
    let fleet: SimulatedFleet | undefined;
    let silentHost: string | undefined;

    beforeAll(async () => {
      fleet = await startSimulatedFleet(
        [
          ...POWER_CASES.map((c) => ({ name: `power-${c.action}`, initialPower: c.from })),
          ...BOOT_CASES.map((c) => ({
            name: `boot-${c.device}`,
            bootDevice: c.device === 'none' ? ('pxe' as const) : ('none' as const),
          })),
          { name: 'general' },
          { name: 'stuck', behaviour: 'stuck' as const },
        ],
        { defaults: { username: 'ADMIN', password: PASSWORD } },
      );
      [silentHost] = await allocateLoopbackAddresses(1);
    }, 60_000);

    afterAll(async () => {
      await subject.dispose?.();
      await fleet?.stop();
    });

    const world: ContractWorld = {
      subject,
      fleet: () => fleet ?? fail('the fleet did not start'),
      silentHost: () => silentHost ?? fail('no silent address was leased'),
      driverFor: (bmc: SimulatedBmc, fields: Partial<SimulatedBmc> = {}, suite = 3) =>
        subject.driverFor(ipmiServer(`node-${bmc.name}`, { ...bmc, ...fields }, suite)),
    };

    identityCases(world);
    powerCases(world);
    bootCases(world);
    resetCases(world);
    failureCases(world);
  });
}

function fail(why: string): never {
  throw new Error(why);
}

import type { PowerAction, PowerState } from '@switchboard/condition-types';
import { runIpmitool as plainIpmitool } from '@switchboard/bmc-sim';

import { context, waitFor } from '../helpers';
import { ContractWorld, POWER_CASES, eventsOf } from './world';

/** Power: what the BMC receives for each action, and what the machine really did. */
export function powerCases({ fleet, driverFor }: ContractWorld): void {
  describe('power', () => {
    it.each(['on', 'off'] as const)('reads %s, as plain ipmitool does', async (state) => {
      const bmc = fleet().get('general');
      bmc.setPower(state);
      expect(await driverFor(bmc).powerGetter!.powerState(context())).toBe(state);
      const { stdout } = await plainIpmitool(bmc, ['chassis', 'power', 'status']);
      expect(stdout).toContain(`Chassis Power is ${state}`);
    });

    it.each(POWER_CASES)(
      '$action, from $from: the BMC receives $events and reads back $to',
      async ({ action, to, events }) => {
        const bmc = fleet().get(`power-${action}`);
        const driver = driverFor(bmc);
        await driver.powerSetter!.setPower(action, context());
        await waitFor(() => eventsOf(bmc).length === events.length, 5000);
        expect(eventsOf(bmc)).toEqual(events);
        expect(await driver.powerGetter!.powerState(context())).toBe(to);
      },
    );

    it('each command happened once to the machine', async () => {
      // Late duplicates would show up after the case itself.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(fleet().get('power-cycle').counters()).toMatchObject({ powerOff: 1, powerOn: 1 });
      expect(fleet().get('power-reset').counters()).toMatchObject({ resets: 1, powerOff: 0 });
      expect(fleet().get('power-soft').counters()).toMatchObject({ softOffs: 1 });
      expect(fleet().get('power-on').counters()).toMatchObject({ powerOn: 1 });
    });

    // The controller sends `on` again when a first attempt's outcome is unknown: a BMC already
    // in the wanted state must accept it and change nothing.
    it.each<[PowerAction, PowerState, string]>([
      ['on', 'on', 'power 1'],
      ['off', 'off', 'power 0'],
    ])(
      '%s when already %s: accepted, the BMC receives "%s", the machine does not change',
      async (action, state, event) => {
        const bmc = fleet().get('general');
        bmc.setPower(state);
        const counters = bmc.counters();
        const before = eventsOf(bmc).length;
        await driverFor(bmc).powerSetter!.setPower(action, context());
        await waitFor(() => eventsOf(bmc).length > before, 5000);
        expect(eventsOf(bmc).slice(before)).toEqual([event]);
        expect(bmc.counters()).toEqual(counters);
        expect(await driverFor(bmc).powerGetter!.powerState(context())).toBe(state);
      },
    );

    it('refuses an action that is not a power action, without calling the BMC', async () => {
      const bmc = fleet().get('general');
      const before = bmc.events().length;
      const attempt = driverFor(bmc).powerSetter!.setPower('diag' as PowerAction, context());
      await expect(attempt).rejects.toMatchObject({
        fault: 'unsupported',
        message: expect.stringContaining('"diag"'),
      });
      expect(bmc.events()).toHaveLength(before);
    });

    it('does not verify: a stuck BMC acknowledges "on", and the read-back says off', async () => {
      const bmc = fleet().get('stuck');
      const driver = driverFor(bmc);
      await driver.powerSetter!.setPower('on', context());
      expect(eventsOf(bmc)).toEqual(['power 1']);
      expect(await driver.powerGetter!.powerState(context())).toBe('off');
    });
  });
}

import { context } from '../helpers';
import type { ContractWorld } from './world';

/** BMC cold reset: counted as sent whatever the BMC answers (IPMI v2.0 20.2). */
export function resetCases({ fleet, driverFor }: ContractWorld): void {
  describe('BMC reset', () => {
    it('is acknowledged, and the BMC answers afterwards', async () => {
      const bmc = fleet().get('general');
      const driver = driverFor(bmc);
      await expect(driver.bmcResetter!.resetBmc(context())).resolves.toBeUndefined();
      await expect(driver.powerGetter!.powerState(context())).resolves.toMatch(/^(on|off)$/);
    });

    it("leaves the machine's power as it was", async () => {
      const bmc = fleet().get('general');
      bmc.setPower('on');
      const counters = bmc.counters();
      const driver = driverFor(bmc);
      await driver.bmcResetter!.resetBmc(context());
      expect(await driver.powerGetter!.powerState(context())).toBe('on');
      expect(bmc.counters()).toEqual(counters);
    });
  });
}

import type { BootDevice } from '@switchboard/condition-types';
import { runIpmitool as plainIpmitool } from '@switchboard/bmc-sim';

import { DriverError } from '../../src/capabilities';
import { capturingLogger, context } from '../helpers';
import { BOOT_CASES, ContractWorld } from './world';

const ONCE = { persistent: false, efi: false };

/** Boot device: set and read back, cross-checked both ways with plain ipmitool. */
export function bootCases({ fleet, driverFor }: ContractWorld): void {
  describe('boot device', () => {
    it.each(BOOT_CASES)(
      '$device: set, read back, and plain ipmitool reads "$selector"',
      async ({ device, selector, simulator }) => {
        const bmc = fleet().get(`boot-${device}`);
        const driver = driverFor(bmc);
        await driver.bootDeviceSetter!.setBootDevice(device, ONCE, context());
        expect(await driver.bootDeviceGetter!.bootDevice(context())).toEqual({ device, ...ONCE });
        const { stdout } = await plainIpmitool(bmc, ['chassis', 'bootparam', 'get', '5']);
        expect(stdout).toContain(`Boot Device Selector : ${selector}`);
        expect(bmc.bootDevice()).toBe(simulator);
      },
    );

    it('reads a device that plain ipmitool set', async () => {
      const bmc = fleet().get('general');
      await plainIpmitool(bmc, ['chassis', 'bootdev', 'cdrom']);
      expect(await driverFor(bmc).bootDeviceGetter!.bootDevice(context())).toMatchObject({
        device: 'cdrom',
      });
    });

    it('accepts the persistent and EFI flags (ipmi_sim keeps only the device)', async () => {
      const bmc = fleet().get('general');
      await driverFor(bmc).bootDeviceSetter!.setBootDevice(
        'pxe',
        { persistent: true, efi: true },
        context(),
      );
      expect(bmc.bootDevice()).toBe('pxe');
      expect(await driverFor(bmc).bootDeviceGetter!.bootDevice(context())).toEqual({
        device: 'pxe',
        ...ONCE,
      });
    });

    it("reports the BMC's refusal (ipmi_sim refuses floppy)", async () => {
      const bmc = fleet().get('general');
      const attempt = driverFor(bmc).bootDeviceSetter!.setBootDevice('floppy', ONCE, context());
      await expect(attempt).rejects.toMatchObject({
        fault: 'command',
        message: expect.stringMatching(
          new RegExp(`^ipmi ${bmc.host.replace(/\./g, '\\.')}:623: .*floppy.*(U|u)nspecified`),
        ),
      });
    });

    it.each<BootDevice>(['usb', 'sd_card', 'remote_drive', 'utilities'])(
      '%s: unsupported, named in the error, and nothing is sent or logged',
      async (device) => {
        const bmc = fleet().get('general');
        const before = bmc.events().length;
        const { logger, events } = capturingLogger();
        const error = await driverFor(bmc)
          .bootDeviceSetter!.setBootDevice(device, ONCE, context(10_000, { logger }))
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DriverError);
        expect(error).toMatchObject({
          fault: 'unsupported',
          message: expect.stringContaining(`boot device "${device}"`),
        });
        expect(bmc.events()).toHaveLength(before);
        expect(events()).toEqual([]);
      },
    );
  });
}

import type { BootDevice, PowerAction, PowerState } from '@switchboard/condition-types';
import {
  SimulatedBmc,
  SimulatedFleet,
  allocateLoopbackAddresses,
  runIpmitool as plainIpmitool,
  startSimulatedFleet,
} from '@switchboard/bmc-sim';
import type { ServerEntry } from '@switchboard/inventory';

import type { Driver } from '../src/capabilities';
import { DriverError } from '../src/capabilities';
import { capturingLogger, context, ipmiServer, timedRejection, waitFor } from './helpers';

/**
 * The behaviour every driver of the `ipmi` platform owes the controller, run against real
 * ipmi_sim BMCs. Each driver's spec calls this with its own factory; answers are cross-checked
 * with a plain ipmitool on the same BMC and with the simulator's own state.
 */
export interface ContractSubject {
  name: string;
  driverFor(server: ServerEntry): Driver;
  /** Called once after the suite (to close a client). */
  dispose?(): Promise<void>;
}

const PASSWORD = 'Sw1tch-pw';

const POWER_CASES: { action: PowerAction; from: PowerState; to: PowerState; events: string[] }[] = [
  { action: 'on', from: 'off', to: 'on', events: ['power 1'] },
  { action: 'off', from: 'on', to: 'off', events: ['power 0'] },
  { action: 'soft', from: 'on', to: 'off', events: ['shutdown 1'] },
  { action: 'reset', from: 'on', to: 'on', events: ['reset 1'] },
  // ipmi_sim powers off at once and on again about a second later.
  { action: 'cycle', from: 'on', to: 'on', events: ['power 0', 'power 1'] },
];
const BOOT_CASES: { device: BootDevice; selector: string; simulator: string }[] = [
  { device: 'pxe', selector: 'Force PXE', simulator: 'pxe' },
  { device: 'disk', selector: 'Force Boot from default Hard-Drive', simulator: 'default' },
  { device: 'bios', selector: 'Force Boot into BIOS Setup', simulator: 'bios' },
  { device: 'cdrom', selector: 'Force Boot from CD/DVD', simulator: 'cdrom' },
  { device: 'none', selector: 'No override', simulator: 'none' },
];

export function ipmiDriverContract(subject: ContractSubject): void {
  describe(`the ipmi driver contract: ${subject.name}`, () => {
    let fleet: SimulatedFleet;
    let silentHost: string;

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

    const driverFor = (bmc: SimulatedBmc, fields: Partial<SimulatedBmc> = {}, suite = 3): Driver =>
      subject.driverFor(ipmiServer(`node-${bmc.name}`, { ...bmc, ...fields }, suite));
    const eventsOf = (bmc: SimulatedBmc): string[] =>
      bmc.events().map((e) => `${e.action} ${e.value}`);

    it('is kind ipmi, keyed by the BMC address, with all five capabilities', () => {
      const bmc = fleet.get('general');
      const driver = driverFor(bmc);
      expect(driver).toMatchObject({ kind: 'ipmi', lockKey: `ipmi:${bmc.host}:623` });
      for (const capability of [
        'powerGetter',
        'powerSetter',
        'bootDeviceSetter',
        'bootDeviceGetter',
        'bmcResetter',
      ] as const) {
        expect(driver[capability]).toBeDefined();
      }
    });

    describe('power', () => {
      it.each(['on', 'off'] as const)('reads %s, as plain ipmitool does', async (state) => {
        const bmc = fleet.get('general');
        bmc.setPower(state);
        expect(await driverFor(bmc).powerGetter!.powerState(context())).toBe(state);
        const { stdout } = await plainIpmitool(bmc, ['chassis', 'power', 'status']);
        expect(stdout).toContain(`Chassis Power is ${state}`);
      });

      it.each(POWER_CASES)(
        '$action, from $from: the BMC receives $events and reads back $to',
        async ({ action, to, events }) => {
          const bmc = fleet.get(`power-${action}`);
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
        expect(fleet.get('power-cycle').counters()).toMatchObject({ powerOff: 1, powerOn: 1 });
        expect(fleet.get('power-reset').counters()).toMatchObject({ resets: 1, powerOff: 0 });
        expect(fleet.get('power-soft').counters()).toMatchObject({ softOffs: 1 });
        expect(fleet.get('power-on').counters()).toMatchObject({ powerOn: 1 });
      });

      it('refuses an action that is not a power action, without calling the BMC', async () => {
        const bmc = fleet.get('general');
        const before = bmc.events().length;
        const attempt = driverFor(bmc).powerSetter!.setPower('diag' as PowerAction, context());
        await expect(attempt).rejects.toMatchObject({
          fault: 'unsupported',
          message: expect.stringContaining('"diag"'),
        });
        expect(bmc.events()).toHaveLength(before);
      });

      it('does not verify: a stuck BMC acknowledges "on", and the read-back says off', async () => {
        const bmc = fleet.get('stuck');
        const driver = driverFor(bmc);
        await driver.powerSetter!.setPower('on', context());
        expect(eventsOf(bmc)).toEqual(['power 1']);
        expect(await driver.powerGetter!.powerState(context())).toBe('off');
      });
    });

    describe('boot device', () => {
      it.each(BOOT_CASES)(
        '$device: set, read back, and plain ipmitool reads "$selector"',
        async ({ device, selector, simulator }) => {
          const bmc = fleet.get(`boot-${device}`);
          const driver = driverFor(bmc);
          await driver.bootDeviceSetter!.setBootDevice(
            device,
            { persistent: false, efi: false },
            context(),
          );
          expect(await driver.bootDeviceGetter!.bootDevice(context())).toEqual({
            device,
            persistent: false,
            efi: false,
          });
          const { stdout } = await plainIpmitool(bmc, ['chassis', 'bootparam', 'get', '5']);
          expect(stdout).toContain(`Boot Device Selector : ${selector}`);
          expect(bmc.bootDevice()).toBe(simulator);
        },
      );

      it('accepts the persistent and EFI flags (ipmi_sim keeps only the device)', async () => {
        const bmc = fleet.get('general');
        await driverFor(bmc).bootDeviceSetter!.setBootDevice(
          'pxe',
          { persistent: true, efi: true },
          context(),
        );
        expect(bmc.bootDevice()).toBe('pxe');
        expect(await driverFor(bmc).bootDeviceGetter!.bootDevice(context())).toEqual({
          device: 'pxe',
          persistent: false,
          efi: false,
        });
      });

      it("reports the BMC's refusal (ipmi_sim refuses floppy)", async () => {
        const bmc = fleet.get('general');
        const attempt = driverFor(bmc).bootDeviceSetter!.setBootDevice(
          'floppy',
          { persistent: false, efi: false },
          context(),
        );
        await expect(attempt).rejects.toMatchObject({
          fault: 'command',
          message: expect.stringMatching(
            new RegExp(`^ipmi ${bmc.host.replace(/\./g, '\\.')}:623: .*floppy.*(U|u)nspecified`),
          ),
        });
      });

      it.each<BootDevice>(['usb', 'sd_card', 'remote_drive', 'utilities'])(
        '%s: unsupported, named in the error, and nothing is sent',
        async (device) => {
          const bmc = fleet.get('general');
          const before = bmc.events().length;
          const error = await driverFor(bmc)
            .bootDeviceSetter!.setBootDevice(device, { persistent: false, efi: false }, context())
            .catch((e: unknown) => e);
          expect(error).toBeInstanceOf(DriverError);
          expect(error).toMatchObject({
            fault: 'unsupported',
            message: expect.stringContaining(`boot device "${device}"`),
          });
          expect(bmc.events()).toHaveLength(before);
        },
      );
    });

    describe('BMC reset', () => {
      it('is acknowledged, and the BMC answers afterwards', async () => {
        const bmc = fleet.get('general');
        const driver = driverFor(bmc);
        await expect(driver.bmcResetter!.resetBmc(context())).resolves.toBeUndefined();
        await expect(driver.powerGetter!.powerState(context())).resolves.toMatch(/^(on|off)$/);
      });
    });

    describe('failures', () => {
      it.each([
        { case: 'a wrong password', fields: { password: 'wrong-pw' }, suite: 3, fault: 'auth' },
        { case: 'an unknown user', fields: { username: 'nobody' }, suite: 3, fault: 'auth' },
        {
          case: 'cipher suite 17 (ipmi_sim lacks it)',
          fields: {},
          suite: 17,
          fault: 'unsupported',
        },
      ])('$case: $fault, at once, naming the BMC', async ({ fields, suite, fault }) => {
        const bmc = fleet.get('general');
        const { logger, text } = capturingLogger();
        const { error, ms } = await timedRejection(() =>
          driverFor(bmc, fields, suite).powerGetter!.powerState(context(10_000, { logger })),
        );
        expect(error).toBeInstanceOf(DriverError);
        expect(error).toMatchObject({ fault, transient: false });
        expect((error as Error).message).toMatch(new RegExp(`^ipmi ${bmc.host}:623: `));
        if (fault === 'auth') {
          const user = fields.username ?? 'ADMIN';
          expect((error as Error).message).toContain(`authentication refused (user ${user}): `);
        }
        expect(ms).toBeLessThan(5000);
        expect(`${(error as Error).message} ${text()}`).not.toContain(PASSWORD);
      });

      it('nothing listening: a timeout within the deadline, naming the address', async () => {
        const bmc = fleet.get('general');
        const { error, ms } = await timedRejection(() =>
          driverFor(bmc, { host: silentHost }).powerGetter!.powerState(context(3000)),
        );
        expect(error).toMatchObject({ fault: 'timeout', transient: true });
        expect((error as Error).message).toContain(`${silentHost}:623`);
        expect(ms).toBeLessThan(3000 + 1000);
      });

      it('a host name that does not resolve: unreachable', async () => {
        const bmc = fleet.get('general');
        const attempt = driverFor(bmc, { host: 'no-such-bmc.invalid' }).powerGetter!.powerState(
          context(),
        );
        await expect(attempt).rejects.toMatchObject({ fault: 'unreachable' });
      });

      it("the caller's cancellation rejects with its own reason", async () => {
        const bmc = fleet.get('general');
        const controller = new AbortController();
        const reason = new Error('cancelled by the operator');
        const attempt = driverFor(bmc, { host: silentHost }).powerGetter!.powerState(
          context(10_000, { signal: controller.signal }),
        );
        setTimeout(() => controller.abort(reason), 100);
        await expect(attempt).rejects.toBe(reason);
      });
    });
  });
}

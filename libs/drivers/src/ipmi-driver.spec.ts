import type { BootDevice, PowerAction, PowerState } from '@switchboard/condition-types';
import {
  SimulatedBmc,
  SimulatedFleet,
  runIpmitool as plainIpmitool,
  startSimulatedFleet,
} from '@switchboard/bmc-sim';

import { capturingLogger, context, ipmiServer, waitFor } from '../test/helpers';
import { Driver, DriverError } from './capabilities';
import { createIpmiDriver } from './ipmi-driver';

// Real ipmi_sim BMCs on loopback addresses, real ipmitool over RMCP+: nothing is mocked.

const PASSWORD = 'Sw1tch-pw';
let fleet: SimulatedFleet;

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
});

afterAll(async () => {
  await fleet?.stop();
});

function driverFor(bmc: SimulatedBmc): Driver {
  return createIpmiDriver(ipmiServer(`node-${bmc.name}`, bmc));
}

function eventsOf(bmc: SimulatedBmc): string[] {
  return bmc.events().map((e) => `${e.action} ${e.value}`);
}

describe('IPMI driver: identity', () => {
  it('is kind ipmi, keyed by the BMC address, with all five capabilities', () => {
    const bmc = fleet.get('general');
    const driver = driverFor(bmc);
    expect(driver).toMatchObject({
      kind: 'ipmi',
      server: 'node-general',
      lockKey: `ipmi:${bmc.host}:623`,
    });
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

  it('refuses a server without bmc settings', () => {
    const server = {
      ...ipmiServer('node-x', { host: '127.64.0.1', port: 623, username: 'ADMIN' }),
      bmc: undefined,
    };
    expect(() => createIpmiDriver(server)).toThrow(
      'server node-x: the ipmi driver needs bmc settings',
    );
  });
});

describe('IPMI driver: power', () => {
  it('reads the power state the BMC reports, on and off', async () => {
    const bmc = fleet.get('general');
    const driver = driverFor(bmc);
    bmc.setPower('on');
    expect(await driver.powerGetter!.powerState(context())).toBe('on');
    bmc.setPower('off');
    expect(await driver.powerGetter!.powerState(context())).toBe('off');
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

  it(
    'counts what really happened to the machines: the cycle turned it off and on, the ' +
      'reset reset it',
    () => {
      expect(fleet.get('power-cycle').counters()).toMatchObject({ powerOff: 1, powerOn: 1 });
      expect(fleet.get('power-reset').counters()).toMatchObject({ resets: 1, powerOff: 0 });
      expect(fleet.get('power-soft').counters()).toMatchObject({ softOffs: 1 });
    },
  );

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

  it(
    'does not verify: a stuck BMC acknowledges "on", the call succeeds, and the read-back ' +
      'still says off',
    async () => {
      const bmc = fleet.get('stuck');
      const driver = driverFor(bmc);
      await driver.powerSetter!.setPower('on', context());
      expect(eventsOf(bmc)).toEqual(['power 1']);
      expect(await driver.powerGetter!.powerState(context())).toBe('off');
    },
  );
});

describe('IPMI driver: boot device', () => {
  it.each(BOOT_CASES)(
    '$device: set, read back, and the BMC says "$selector"',
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
      // Cross-checks the driver's reading (from the raw bytes) with ipmitool's prose and the
      // simulator's state.
      expect((await plainIpmitool(bmc, ['chassis', 'bootparam', 'get', '5'])).stdout).toContain(
        `Boot Device Selector : ${selector}`,
      );
      expect(bmc.bootDevice()).toBe(simulator);
    },
  );

  it(
    'sends the persistent and EFI ' + 'flags (ipmi_sim accepts them but keeps only the device)',
    async () => {
      const bmc = fleet.get('general');
      const { logger, events } = capturingLogger();

      await driverFor(bmc).bootDeviceSetter!.setBootDevice(
        'pxe',
        { persistent: true, efi: true },
        context(10_000, { logger }),
      );

      const sent = events().map((e) => e.argv as string[]);
      expect(sent).toHaveLength(1);
      expect(sent[0].slice(-4)).toEqual([
        'chassis',
        'bootdev',
        'pxe',
        'options=persistent,efiboot',
      ]);
      expect(await driverFor(bmc).bootDeviceGetter!.bootDevice(context())).toEqual({
        device: 'pxe',
        persistent: false,
        efi: false,
      });
    },
  );

  it(
    'reports a refusal even though ' + 'ipmitool exits 0 for it (ipmi_sim refuses floppy)',
    async () => {
      const bmc = fleet.get('general');
      const attempt = driverFor(bmc).bootDeviceSetter!.setBootDevice(
        'floppy',
        { persistent: false, efi: false },
        context(),
      );
      await expect(attempt).rejects.toMatchObject({
        fault: 'command',
        message:
          `ipmi ${bmc.host}:623: chassis bootdev floppy was not accepted: Set Chassis Boot ` +
          `Parameter 5 failed: Unspecified error`,
      });
    },
  );

  it.each<BootDevice>(['usb', 'sd_card', 'remote_drive', 'utilities'])(
    '%s: unsupported, named in the error, and nothing is sent',
    async (device) => {
      const bmc = fleet.get('general');
      const { logger, events } = capturingLogger();
      const attempt = driverFor(bmc).bootDeviceSetter!.setBootDevice(
        device,
        { persistent: false, efi: false },
        context(10_000, { logger }),
      );
      const error = await attempt.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DriverError);
      expect(error).toMatchObject({
        fault: 'unsupported',
        message: expect.stringContaining(`boot device "${device}"`),
      });
      expect(events()).toEqual([]);
    },
  );
});

describe('IPMI driver: BMC reset', () => {
  it('sends a cold reset, which the BMC acknowledges, and the BMC answers afterwards', async () => {
    const bmc = fleet.get('general');
    const driver = driverFor(bmc);
    await expect(driver.bmcResetter!.resetBmc(context())).resolves.toBeUndefined();
    await expect(driver.powerGetter!.powerState(context())).resolves.toMatch(/^(on|off)$/);
  });
});

describe('IPMI driver: the password', () => {
  it('is in no argv and no log line', async () => {
    const bmc = fleet.get('general');
    const { logger, events, text } = capturingLogger();
    await driverFor(bmc).powerGetter!.powerState(context(10_000, { logger }));
    const argv = events()[0].argv as string[];
    expect(argv).toEqual(expect.arrayContaining(['-E', '-C', '3', '-U', 'ADMIN']));
    expect(argv).not.toContain('-P');
    expect(text()).not.toContain(PASSWORD);
  });
});

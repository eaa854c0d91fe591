import { SimulatedFleet, startSimulatedFleet } from '@switchboard/bmc-sim';

import { capturingLogger, context, ipmiServer } from '../test/helpers';
import { createIpmiDriver } from './ipmi-driver';

// What only the ipmitool driver does: its argv and ipmitool's quirks. Everything both IPMI drivers
// owe the controller is the contract (test/ipmi-contract), run for this driver by
// ipmi-contract.spec.ts. A real ipmi_sim BMC, real ipmitool: nothing is mocked.

const PASSWORD = 'Sw1tch-pw';
let fleet: SimulatedFleet;

beforeAll(async () => {
  fleet = await startSimulatedFleet([{ name: 'general' }], {
    defaults: { username: 'ADMIN', password: PASSWORD },
  });
});

afterAll(async () => {
  await fleet?.stop();
});

const driver = () => createIpmiDriver(ipmiServer('node-general', fleet.get('general')));

/** The argv of every ipmitool run the driver logged. */
function argvOf(events: () => Array<Record<string, unknown>>): string[][] {
  return events().map((e) => e.argv as string[]);
}

describe('IPMI driver through ipmitool', () => {
  it('sends the persistent and EFI flags as bootdev options', async () => {
    const { logger, events } = capturingLogger();
    await driver().bootDeviceSetter!.setBootDevice(
      'pxe',
      { persistent: true, efi: true },
      context(10_000, { logger }),
    );
    const sent = argvOf(events);
    expect(sent).toHaveLength(1);
    expect(sent[0].slice(-4)).toEqual(['chassis', 'bootdev', 'pxe', 'options=persistent,efiboot']);
  });

  it('reports a refusal ipmitool exits 0 for (ipmi_sim refuses floppy)', async () => {
    const bmc = fleet.get('general');
    const attempt = driver().bootDeviceSetter!.setBootDevice(
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
  });

  it('hands the password over in the environment (-E), never on the command line', async () => {
    const { logger, events, text } = capturingLogger();
    await driver().powerGetter!.powerState(context(10_000, { logger }));
    const [argv] = argvOf(events);
    expect(argv).toEqual(expect.arrayContaining(['-E', '-C', '3', '-U', 'ADMIN']));
    expect(argv).not.toContain('-P');
    expect(argv.join(' ')).not.toContain(PASSWORD);
    expect(text()).not.toContain(PASSWORD);
  });
});

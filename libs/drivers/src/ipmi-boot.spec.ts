import type { BootDevice } from '@switchboard/condition-types';

import { bootdevCommand, parseBootParameter5 } from './ipmi-boot';

describe('the ipmitool command for a boot device', () => {
  it.each<[BootDevice, boolean, boolean, string[]]>([
    ['pxe', false, false, ['chassis', 'bootdev', 'pxe']],
    ['pxe', true, false, ['chassis', 'bootdev', 'pxe', 'options=persistent']],
    ['pxe', false, true, ['chassis', 'bootdev', 'pxe', 'options=efiboot']],
    ['pxe', true, true, ['chassis', 'bootdev', 'pxe', 'options=persistent,efiboot']],
    ['disk', false, false, ['chassis', 'bootdev', 'disk']],
    ['bios', true, false, ['chassis', 'bootdev', 'bios', 'options=persistent']],
    ['cdrom', false, false, ['chassis', 'bootdev', 'cdrom']],
    ['diag', false, false, ['chassis', 'bootdev', 'diag']],
    ['floppy', false, false, ['chassis', 'bootdev', 'floppy']],
    ['none', false, false, ['chassis', 'bootdev', 'none']],
  ])('%s (persistent %s, efi %s): %j', (device, persistent, efi, command) => {
    expect(bootdevCommand(device, { persistent, efi })).toEqual(command);
  });

  it.each<BootDevice>(['remote_drive', 'sd_card', 'usb', 'utilities'])(
    '%s: none, ipmitool has no bootdev word for it',
    (device) => {
      expect(bootdevCommand(device, { persistent: false, efi: false })).toBeUndefined();
    },
  );
});

/** `chassis bootparam get 5` output around a data line, as ipmitool 1.8.19 prints it. */
function bootParam5(data: string): string {
  return [
    'Boot parameter version: 1',
    'Boot parameter 5 is valid/unlocked',
    `Boot parameter data: ${data}`,
    ' Boot Flags :',
    '   - Boot Flag Invalid',
  ].join('\n');
}

describe('reading boot parameter 5', () => {
  it.each([
    // As ipmi_sim answers: only the device selector, never the flags.
    ['0000000000', 'none', false, false],
    ['0004000000', 'pxe', false, false],
    ['0008000000', 'disk', false, false],
    ['0014000000', 'cdrom', false, false],
    ['0018000000', 'bios', false, false],
    // As a real BMC answers `bootdev pxe options=persistent,efiboot` (valid | persistent | EFI).
    ['e004000000', 'pxe', true, true],
    ['c008000000', 'disk', true, false],
    ['a018000000', 'bios', false, true],
    ['800c000000', 'safe', false, false],
    ['8010000000', 'diag', false, false],
    ['803c000000', 'floppy', false, false],
    ['8024000000', 'remote_drive', false, false],
    ['8028000000', 'selector 0xa', false, false],
  ])('data %s: %s, persistent %s, efi %s', (data, device, persistent, efi) => {
    expect(parseBootParameter5(bootParam5(data))).toEqual({ device, persistent, efi });
  });

  it('gives nothing for output without a data line', () => {
    expect(
      parseBootParameter5('Error: Unable to establish IPMI v2 / RMCP+ session'),
    ).toBeUndefined();
  });
});

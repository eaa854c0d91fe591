import type { BootDevice } from '@switchboard/condition-types';

import type { BootDeviceReading, BootOptions } from './capabilities';

/**
 * Switchboard's boot devices that `ipmitool chassis bootdev` (1.8.19) can set, by ipmitool's
 * name. ipmitool also knows `safe` (disk in safe mode), which Switchboard does not name.
 * remote_drive, sd_card, usb and utilities have no bootdev word: IPMI's "remote media"
 * selectors exist, but ipmitool offers them only as raw bootparam bytes, which we do not guess.
 */
const IPMITOOL_BOOT_DEVICES: Partial<Record<BootDevice, string>> = {
  none: 'none',
  pxe: 'pxe',
  disk: 'disk',
  diag: 'diag',
  cdrom: 'cdrom',
  bios: 'bios',
  floppy: 'floppy',
};

/** ipmitool's name for `device`, or undefined when it has none. */
export function ipmitoolBootDevice(device: BootDevice): string | undefined {
  return Object.hasOwn(IPMITOOL_BOOT_DEVICES, device) ? IPMITOOL_BOOT_DEVICES[device] : undefined;
}

export function settableBootDevices(): string[] {
  return Object.keys(IPMITOOL_BOOT_DEVICES);
}

/**
 * `chassis bootdev <dev> [options=persistent,efiboot]`; undefined when ipmitool cannot set
 * `device`.
 */
export function bootdevCommand(device: BootDevice, options: BootOptions): string[] | undefined {
  const name = ipmitoolBootDevice(device);
  if (name === undefined) return undefined;
  const flags = [
    ...(options.persistent ? ['persistent'] : []),
    ...(options.efi ? ['efiboot'] : []),
  ];
  return ['chassis', 'bootdev', name, ...(flags.length > 0 ? [`options=${flags.join(',')}`] : [])];
}

/**
 * Boot device selector, bits 5:2 of data byte 2 of boot parameter 5 (IPMI v2.0 table 28-14),
 * by Switchboard's name where it has one. The remote-media selectors keep distinct names so a
 * reading never claims more than the BMC said.
 */
const SELECTORS: Record<number, string> = {
  0x0: 'none',
  0x1: 'pxe',
  0x2: 'disk',
  0x3: 'safe',
  0x4: 'diag',
  0x5: 'cdrom',
  0x6: 'bios',
  0x7: 'remote_floppy',
  0x8: 'remote_cdrom',
  0x9: 'remote_drive',
  0xb: 'remote_disk',
  0xf: 'floppy',
};

/**
 * Reads `chassis bootparam get 5` from its raw data line ("Boot parameter data: 0004000000")
 * rather than from ipmitool's prose, which changes between versions. Byte 1: bit 6 persistent,
 * bit 5 EFI. The "valid" bit (7) is not reported: ipmi_sim never sets it, and what the
 * controller compares is the device and the flags.
 * Returns undefined when the output holds no data line.
 */
export function parseBootParameter5(stdout: string): BootDeviceReading | undefined {
  const match = /Boot parameter data:\s*([0-9a-f]{4,})/i.exec(stdout);
  if (!match) return undefined;
  const flags = parseInt(match[1].slice(0, 2), 16);
  const deviceByte = parseInt(match[1].slice(2, 4), 16);
  const selector = (deviceByte >> 2) & 0x0f;
  return {
    device: SELECTORS[selector] ?? `selector 0x${selector.toString(16)}`,
    persistent: (flags & 0x40) !== 0,
    efi: (flags & 0x20) !== 0,
  };
}

import { ByteReader } from './bytes';
import { DecodeError } from './errors';

/** A command as the session sends it: what to send and how to read a successful answer. */
export interface Command<T> {
  name: string;
  netFn: number;
  cmd: number;
  data: Buffer;
  /**
   * Whether sending it twice could do twice what it does (chassis control, cold reset): such a
   * command is never retransmitted blindly.
   */
  once?: boolean;
  decode(data: Buffer): T;
  /**
   * For a command the BMC may not answer (Cold Reset restarts it): takes any completion code,
   * or none when no answer came within one attempt, instead of `decode`.
   */
  settle?(completionCode: number | undefined, data: Buffer): T;
}

const NetFn = { chassis: 0x00, app: 0x06, storage: 0x0a } as const;

function noData(data: Buffer): void {
  void data; // answers with only a completion code; trailing bytes are tolerated as BMCs add them
}

export interface ChannelAuthCapabilities {
  channel: number;
  ipmiV20: boolean;
}

/** Get Channel Authentication Capabilities (App 0x38), asking for the v2.0 extended data. */
export function getChannelAuthCapabilities(privilege: number): Command<ChannelAuthCapabilities> {
  return {
    name: 'Get Channel Authentication Capabilities',
    netFn: NetFn.app,
    cmd: 0x38,
    data: Buffer.from([0x8e, privilege]), // bit 7: v2.0 data; channel 0xE: this one
    decode(data) {
      const r = new ByteReader(data);
      const channel = r.u8('channel');
      const authTypes = r.u8('authentication type support');
      r.u8('authentication status');
      const extended = r.u8('extended capabilities');
      r.bytes(3, 'OEM ID');
      r.u8('OEM auxiliary data');
      return { channel, ipmiV20: (authTypes & 0x80) !== 0 && (extended & 0x02) !== 0 };
    },
  };
}

/** Set Session Privilege Level (App 0x3B): sessions start at User level. */
export function setSessionPrivilege(privilege: number): Command<number> {
  return {
    name: 'Set Session Privilege Level',
    netFn: NetFn.app,
    cmd: 0x3b,
    data: Buffer.from([privilege]),
    decode: (data) => new ByteReader(data).u8('new privilege level') & 0x0f,
  };
}

export function closeSession(bmcSessionId: number): Command<void> {
  const data = Buffer.alloc(4);
  data.writeUInt32LE(bmcSessionId >>> 0);
  return { name: 'Close Session', netFn: NetFn.app, cmd: 0x3c, data, decode: noData };
}

export interface DeviceId {
  deviceId: number;
  deviceRevision: number;
  firmwareRevision: string;
  ipmiVersion: string;
  manufacturerId: number;
  productId: number;
}

export function getDeviceId(): Command<DeviceId> {
  return {
    name: 'Get Device ID',
    netFn: NetFn.app,
    cmd: 0x01,
    data: Buffer.alloc(0),
    decode(data) {
      const r = new ByteReader(data);
      const deviceId = r.u8('device ID');
      const deviceRevision = r.u8('device revision') & 0x0f;
      const major = r.u8('firmware major revision') & 0x7f;
      const minor = r.u8('firmware minor revision');
      const ipmi = r.u8('IPMI version');
      r.u8('additional device support');
      const m = r.bytes(3, 'manufacturer ID');
      const productId = r.u16le('product ID');
      return {
        deviceId,
        deviceRevision,
        // The minor revision is BCD: 0x02 reads "02".
        firmwareRevision: `${major}.${minor.toString(16).padStart(2, '0')}`,
        ipmiVersion: `${ipmi & 0x0f}.${ipmi >> 4}`,
        manufacturerId: m[0] | (m[1] << 8) | ((m[2] & 0x0f) << 16),
        productId,
      };
    },
  };
}

export interface ColdResetResult {
  /** False when no answer came: IPMI v2.0 20.2 lets a BMC restart before it answers. */
  answered: boolean;
  /** The BMC's completion code when it answered (ipmi_sim answers 0xC1, invalid command). */
  completionCode?: number;
}

/** Cold Reset (App 0x02): sent once; any answer, or none, is reported as it is. */
export function coldReset(): Command<ColdResetResult> {
  return {
    name: 'Cold Reset',
    netFn: NetFn.app,
    cmd: 0x02,
    data: Buffer.alloc(0),
    once: true,
    decode: () => ({ answered: true, completionCode: 0 }),
    settle: (completionCode) =>
      completionCode === undefined ? { answered: false } : { answered: true, completionCode },
  };
}

export interface ChassisStatus {
  powerOn: boolean;
  powerOverload: boolean;
  powerFault: boolean;
  /** Bits 6:5 of byte 1: 0 stays off, 1 restores, 2 powers up, 3 unknown. */
  restorePolicy: number;
}

export function getChassisStatus(): Command<ChassisStatus> {
  return {
    name: 'Get Chassis Status',
    netFn: NetFn.chassis,
    cmd: 0x01,
    data: Buffer.alloc(0),
    decode(data) {
      const r = new ByteReader(data);
      const power = r.u8('current power state');
      r.u8('last power event');
      r.u8('misc. chassis state');
      return {
        powerOn: (power & 0x01) !== 0,
        powerOverload: (power & 0x02) !== 0,
        powerFault: (power & 0x08) !== 0,
        restorePolicy: (power >> 5) & 0x03,
      };
    },
  };
}

export const CHASSIS_CONTROL = {
  off: 0x00,
  on: 0x01,
  cycle: 0x02,
  reset: 0x03,
  diag: 0x04,
  soft: 0x05,
} as const;
export type ChassisControlAction = keyof typeof CHASSIS_CONTROL;

export function chassisControl(action: ChassisControlAction): Command<void> {
  if (!Object.hasOwn(CHASSIS_CONTROL, action)) {
    throw new RangeError(`unknown chassis control "${String(action)}"`);
  }
  return {
    name: `Chassis Control (${action})`,
    netFn: NetFn.chassis,
    cmd: 0x02,
    data: Buffer.from([CHASSIS_CONTROL[action]]),
    once: true,
    decode: noData,
  };
}

/** Boot device selectors, boot flags data byte 2 bits 5:2 (IPMI v2.0 table 28-14). */
export const BOOT_SELECTORS = {
  none: 0x0,
  pxe: 0x1,
  disk: 0x2,
  safe: 0x3,
  diag: 0x4,
  cdrom: 0x5,
  bios: 0x6,
  remote_floppy: 0x7,
  remote_cdrom: 0x8,
  remote_drive: 0x9,
  remote_disk: 0xb,
  floppy: 0xf,
} as const;
export type BootSelector = keyof typeof BOOT_SELECTORS;

export interface BootFlags {
  /** Bit 7 of data byte 1: the BMC holds a boot override. */
  valid: boolean;
  persistent: boolean;
  efi: boolean;
  /** The raw selector (0-15). */
  selector: number;
  /** Its name, when the specification names it. */
  device?: BootSelector;
}

function setBootOption(parameter: number, data: number[], name: string): Command<void> {
  return {
    name,
    netFn: NetFn.chassis,
    cmd: 0x08,
    data: Buffer.from([parameter & 0x7f, ...data]),
    decode: noData,
  };
}

/** Boot info acknowledge (parameter 4): "BIOS/POST has not handled it", as ipmitool sends. */
export function bootInfoAcknowledge(): Command<void> {
  return setBootOption(4, [0x01, 0x01], 'Set System Boot Options (boot info acknowledge)');
}

/** Boot flags (parameter 5) with the valid bit set, so the override applies to the next boot(s). */
export function setBootFlags(
  device: BootSelector,
  options: { persistent: boolean; efi: boolean },
): Command<void> {
  if (!Object.hasOwn(BOOT_SELECTORS, device)) {
    throw new RangeError(`unknown boot device "${String(device)}"`);
  }
  const byte1 = 0x80 | (options.persistent ? 0x40 : 0) | (options.efi ? 0x20 : 0);
  return setBootOption(
    5,
    [byte1, BOOT_SELECTORS[device] << 2, 0, 0, 0],
    `Set System Boot Options (boot flags ${device})`,
  );
}

const SELECTOR_NAMES = new Map<number, BootSelector>(
  Object.entries(BOOT_SELECTORS).map(([name, value]) => [value, name as BootSelector]),
);

export function getBootFlags(): Command<BootFlags> {
  return {
    name: 'Get System Boot Options (boot flags)',
    netFn: NetFn.chassis,
    cmd: 0x09,
    data: Buffer.from([5, 0, 0]),
    decode(data) {
      const r = new ByteReader(data);
      r.u8('parameter version');
      const parameter = r.u8('parameter selector') & 0x7f;
      if (parameter !== 5)
        throw new DecodeError(`boot options: parameter ${parameter}, asked for 5`);
      const b1 = r.u8('boot flags byte 1');
      const b2 = r.u8('boot flags byte 2');
      const selector = (b2 >> 2) & 0x0f;
      const device = SELECTOR_NAMES.get(selector);
      return {
        valid: (b1 & 0x80) !== 0,
        persistent: (b1 & 0x40) !== 0,
        efi: (b1 & 0x20) !== 0,
        selector,
        ...(device ? { device } : {}),
      };
    },
  };
}

export interface SelEntry {
  recordId: number;
  /** 0xFFFF after the last entry. */
  nextRecordId: number;
  recordType: number;
  /** The 16-byte record as stored. */
  data: Buffer;
}

/** Get SEL Entry (Storage 0x43): one whole record, no reservation needed for a full read. */
export function getSelEntry(recordId: number): Command<SelEntry> {
  const data = Buffer.from([0, 0, recordId & 0xff, (recordId >> 8) & 0xff, 0, 0xff]);
  return {
    name: 'Get SEL Entry',
    netFn: NetFn.storage,
    cmd: 0x43,
    data,
    decode(answer) {
      const r = new ByteReader(answer);
      const nextRecordId = r.u16le('next record ID');
      const record = Buffer.from(r.bytes(16, 'SEL record'));
      return {
        recordId: record.readUInt16LE(0),
        nextRecordId,
        recordType: record[2],
        data: record,
      };
    },
  };
}

/** Completion codes (IPMI v2.0 table 5-2), for messages. */
export const COMPLETION_CODES: Record<number, string> = {
  0xc0: 'node busy',
  0xc1: 'invalid command',
  0xc2: 'command invalid for given LUN',
  0xc3: 'timeout while processing command',
  0xc4: 'out of space',
  0xc5: 'reservation cancelled or invalid reservation ID',
  0xc6: 'request data truncated',
  0xc7: 'request data length invalid',
  0xc8: 'request data field length limit exceeded',
  0xc9: 'parameter out of range',
  0xca: 'cannot return number of requested data bytes',
  0xcb: 'requested sensor, data, or record not present',
  0xcc: 'invalid data field in request',
  0xcd: 'command illegal for specified sensor or record type',
  0xce: 'command response could not be provided',
  0xcf: 'cannot execute duplicated request',
  0xd0: 'SDR repository in update mode',
  0xd1: 'device in firmware update mode',
  0xd2: 'BMC initialization in progress',
  0xd3: 'destination unavailable',
  0xd4: 'insufficient privilege level',
  0xd5: 'command not supported in present state',
  0xd6: 'command sub-function disabled or unavailable',
  0xff: 'unspecified error',
};

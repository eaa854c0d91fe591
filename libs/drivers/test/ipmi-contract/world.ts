import type { BootDevice, PowerAction, PowerState } from '@switchboard/condition-types';
import type { SimulatedBmc, SimulatedFleet } from '@switchboard/bmc-sim';
import type { ServerEntry } from '@switchboard/inventory';

import type { Driver } from '../../src/capabilities';

/** One implementation of the `ipmi` platform, as its spec hands it to the contract. */
export interface ContractSubject {
  name: string;
  driverFor(server: ServerEntry): Driver;
  /** Called once after the suite (to close a client). */
  dispose?(): Promise<void>;
}

/** What every group of contract cases works with: the running fleet and the subject's drivers. */
export interface ContractWorld {
  subject: ContractSubject;
  /** Valid once the suite's beforeAll has run. */
  fleet(): SimulatedFleet;
  /** A loopback address nothing listens on. */
  silentHost(): string;
  /** The subject's driver for `bmc`, with `fields` overriding its endpoint. */
  driverFor(bmc: SimulatedBmc, fields?: Partial<SimulatedBmc>, cipherSuite?: number): Driver;
}

export const PASSWORD = 'Sw1tch-pw';

/** One BMC per case, so each case's events and counters are its own. */
export const POWER_CASES: {
  action: PowerAction;
  from: PowerState;
  to: PowerState;
  events: string[];
}[] = [
  { action: 'on', from: 'off', to: 'on', events: ['power 1'] },
  { action: 'off', from: 'on', to: 'off', events: ['power 0'] },
  { action: 'soft', from: 'on', to: 'off', events: ['shutdown 1'] },
  { action: 'reset', from: 'on', to: 'on', events: ['reset 1'] },
  // ipmi_sim powers off at once and on again about a second later.
  { action: 'cycle', from: 'on', to: 'on', events: ['power 0', 'power 1'] },
];

export const BOOT_CASES: { device: BootDevice; selector: string; simulator: string }[] = [
  { device: 'pxe', selector: 'Force PXE', simulator: 'pxe' },
  { device: 'disk', selector: 'Force Boot from default Hard-Drive', simulator: 'default' },
  { device: 'bios', selector: 'Force Boot into BIOS Setup', simulator: 'bios' },
  { device: 'cdrom', selector: 'Force Boot from CD/DVD', simulator: 'cdrom' },
  { device: 'none', selector: 'No override', simulator: 'none' },
];

/** The BMC's set-log as "action value" words. */
export const eventsOf = (bmc: SimulatedBmc): string[] =>
  bmc.events().map((e) => `${e.action} ${e.value}`);

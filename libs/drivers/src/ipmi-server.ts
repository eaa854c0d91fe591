import { PowerAction, powerActions } from '@switchboard/condition-types';
import type { BmcConfig, ServerEntry } from '@switchboard/inventory';

import { Driver, DriverError } from './capabilities';

/**
 * What both IPMI drivers (ipmitool and native) need of a server before any call, so the two stay
 * interchangeable down to their refusals.
 */

/** The server's BMC settings; a server without them cannot be driven over IPMI at all. */
export function bmcOf(server: ServerEntry): BmcConfig {
  if (!server.bmc)
    throw new Error(`server ${server.name}: the ipmi driver needs bmc settings, and it has none`);
  return server.bmc;
}

/** How both drivers present themselves: kind `ipmi`, keyed by the BMC's address. */
export function ipmiIdentity(
  server: ServerEntry,
  bmc: BmcConfig,
): Pick<Driver, 'kind' | 'server' | 'lockKey'> {
  return { kind: 'ipmi', server: server.name, lockKey: lockKeyFor(bmc) };
}

/** Servers behind one BMC address share it, so their operations never overlap. */
export function lockKeyFor(bmc: Pick<BmcConfig, 'host' | 'port'>): string {
  return `ipmi:${bmc.host}:${bmc.port}`;
}

/**
 * Checked at run time too: the action may come from a message (and, for ipmitool, becomes an
 * argument).
 */
export function checkPowerAction(where: string, action: PowerAction): void {
  if (!powerActions.includes(action))
    throw new DriverError('unsupported', `${where}: unknown power action "${String(action)}"`);
}

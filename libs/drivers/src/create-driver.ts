import type { Inventory, ServerEntry } from '@switchboard/inventory';

import type { Driver } from './capabilities';
import { AwsDriverOptions, createAwsDriver } from './cloud/aws-driver';
import { AzureDriverOptions, createAzureDriver } from './cloud/azure-driver';
import { IpmiDriverOptions, createIpmiDriver } from './ipmi-driver';
import { NativeIpmiDriverOptions, createNativeIpmiDriver } from './native-ipmi-driver';
import { ShellDriverOptions, createShellDriver } from './shell-driver';

export type DriverOptions = IpmiDriverOptions &
  NativeIpmiDriverOptions &
  ShellDriverOptions &
  AwsDriverOptions &
  AzureDriverOptions;

/**
 * The driver for one inventory server, chosen by `server.driver` (ipmi, aws, azure, shell).
 * A `none` server gets a driver
 * without capabilities: the controller then fails its conditions as unsupported, by the same path
 * as any capability a platform lacks. Throws when the entry is inconsistent (an ipmi server
 * without bmc settings, a shell server whose platform is unknown).
 */
export function createDriver(
  server: ServerEntry,
  platforms: Inventory['platforms'],
  options: DriverOptions = {},
): Driver {
  switch (server.driver) {
    case 'ipmi':
      // Native RMCP+ unless the inventory asks for ipmitool (`driver: ipmitool`).
      return server.ipmiDriver === 'ipmitool'
        ? createIpmiDriver(server, options)
        : createNativeIpmiDriver(server, options);
    case 'shell': {
      const platform = server.platform === undefined ? undefined : platforms.get(server.platform);
      if (!platform) {
        const known = [...platforms.keys()].join(', ') || 'none';
        throw new Error(
          `server ${server.name}: shell platform "${server.platform ?? ''}" is not ` +
            `defined (defined: ${known})`,
        );
      }
      return createShellDriver(server, platform, options);
    }
    case 'aws':
      return createAwsDriver(server, options);
    case 'azure':
      return createAzureDriver(server, options);
    case 'none':
      return { kind: 'none', server: server.name, lockKey: `none:${server.name}` };
    default:
      throw new Error(
        `server ${server.name}: unknown driver "${String(server.driver as unknown)}"`,
      );
  }
}

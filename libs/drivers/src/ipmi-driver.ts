import type { BootDevice, PowerAction, PowerState } from '@switchboard/condition-types';
import type { ServerEntry } from '@switchboard/inventory';

import {
  BootDeviceReading,
  BootOptions,
  Driver,
  DriverError,
  OperationContext,
} from './capabilities';
import { bootdevCommand, parseBootParameter5, settableBootDevices } from './ipmi-boot';
import { bmcOf, checkPowerAction, ipmiIdentity } from './ipmi-server';
import { endpointOf } from './ipmitool-session';
import { bounded, lastLine } from './output-text';
import { IpmitoolOptions, runIpmitool } from './ipmitool-runner';

export type IpmiDriverOptions = IpmitoolOptions;

/**
 * What ipmitool prints on stdout once the BMC has accepted each command. Checked because
 * ipmitool exits 0 for some refusals: `chassis bootdev floppy` against ipmi_sim prints
 * "Set Chassis Boot Parameter 5 failed: Unspecified error" on stderr and exits 0.
 */
const CONFIRMATIONS = {
  power: /Chassis Power Control: /,
  bootdev: /Set Boot Device to /,
  mcReset: /Sent cold reset command to MC/,
} as const;

/**
 * The driver of a native IPMI server: ipmitool over RMCP+ (lanplus). It sends and reads; it
 * never waits for a power change to show, which is the controller's job (a BMC may acknowledge
 * and do nothing).
 */
export function createIpmiDriver(server: ServerEntry, options: IpmiDriverOptions = {}): Driver {
  const bmc = bmcOf(server);
  const where = `ipmi ${endpointOf(bmc)}`;

  const run = async (
    command: string[],
    ctx: OperationContext,
    confirmation?: RegExp,
  ): Promise<string> => {
    const { stdout, stderr } = await runIpmitool(bmc, command, ctx, options);
    if (confirmation && !confirmation.test(stdout)) {
      const said = bounded(stderr || stdout) || 'nothing';
      throw new DriverError(
        'command',
        `${where}: ${command.join(' ')} was not accepted: ${lastLine(said)}`,
        said,
      );
    }
    return stdout;
  };

  return {
    ...ipmiIdentity(server, bmc),
    powerGetter: {
      async powerState(ctx: OperationContext): Promise<PowerState> {
        const stdout = await run(['chassis', 'power', 'status'], ctx);
        const match = /Chassis Power is (on|off)/i.exec(stdout);
        if (!match) {
          throw new DriverError(
            'command',
            `${where}: cannot read the power state from ipmitool's answer`,
            stdout.trim(),
          );
        }
        return match[1].toLowerCase() as PowerState;
      },
    },
    powerSetter: {
      async setPower(action: PowerAction, ctx: OperationContext): Promise<void> {
        checkPowerAction(where, action);
        // Switchboard's action names are ipmitool's `chassis power` words, one for one.
        await run(['chassis', 'power', action], ctx, CONFIRMATIONS.power);
      },
    },
    bootDeviceSetter: {
      async setBootDevice(
        device: BootDevice,
        bootOptions: BootOptions,
        ctx: OperationContext,
      ): Promise<void> {
        const command = bootdevCommand(device, bootOptions);
        if (!command) {
          throw new DriverError(
            'unsupported',
            `${where}: boot device "${device}" cannot be set through ipmitool (it can ` +
              `set ${settableBootDevices().join(', ')})`,
          );
        }
        await run(command, ctx, CONFIRMATIONS.bootdev);
      },
    },
    bootDeviceGetter: {
      async bootDevice(ctx: OperationContext): Promise<BootDeviceReading> {
        const stdout = await run(['chassis', 'bootparam', 'get', '5'], ctx);
        const reading = parseBootParameter5(stdout);
        if (!reading) {
          throw new DriverError(
            'command',
            `${where}: no boot parameter data in ipmitool's answer`,
            stdout.trim(),
          );
        }
        return reading;
      },
    },
    bmcResetter: {
      async resetBmc(ctx: OperationContext): Promise<void> {
        await run(['mc', 'reset', 'cold'], ctx, CONFIRMATIONS.mcReset);
      },
    },
  };
}

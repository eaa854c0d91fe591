import type { BootDevice, PowerAction, PowerState } from '@switchboard/condition-types';
import type { ServerEntry } from '@switchboard/inventory';
import {
  BmcTarget,
  BOOT_SELECTORS,
  BootSelector,
  IpmiClient,
  IpmiError,
  IpmiErrorCode,
  RequestOptions,
} from '@switchboard/ipmi';

import {
  BootDeviceReading,
  BootOptions,
  Driver,
  DriverError,
  DriverFaultKind,
  OperationContext,
} from './capabilities';
import { settableBootDevices } from './ipmi-boot';
import { bmcOf, checkPowerAction, ipmiIdentity } from './ipmi-server';

export interface NativeIpmiDriverOptions {
  /** The client (one UDP socket, the sessions) to use; default: one shared by the process. */
  ipmiClient?: IpmiClient;
}

let shared: IpmiClient | undefined;

/** The process's IPMI client: one socket and one session per BMC, for every driver instance. */
export function sharedIpmiClient(): IpmiClient {
  shared ??= new IpmiClient();
  return shared;
}

const FAULTS: Record<IpmiErrorCode, DriverFaultKind> = {
  timeout: 'timeout',
  // No free session or "node busy" passes: retried like silence, as the ipmitool driver does.
  busy: 'timeout',
  unreachable: 'unreachable',
  'wrong-password': 'auth',
  'unknown-user': 'auth',
  'privilege-refused': 'auth',
  'session-refused': 'auth',
  'cipher-suite-unsupported': 'unsupported',
  'completion-code': 'command',
  protocol: 'command',
  // Not transient on purpose: a retry could carry out a power command twice.
  'outcome-unknown': 'command',
  closed: 'command',
};

function isTimeoutReason(reason: unknown): boolean {
  return (reason as { name?: unknown } | null)?.name === 'TimeoutError';
}

/**
 * The driver of a native IPMI server over this project's own RMCP+ client (libs/ipmi): no
 * process per call, one session per BMC reused across conditions. Like the ipmitool driver it
 * sends and reads, and never waits for a power change to show.
 */
export function createNativeIpmiDriver(
  server: ServerEntry,
  options: NativeIpmiDriverOptions = {},
): Driver {
  const bmc = bmcOf(server);
  const where = `ipmi ${bmc.host}:${bmc.port}`;
  const client = options.ipmiClient ?? sharedIpmiClient();
  const target = (): BmcTarget => ({
    host: bmc.host,
    port: bmc.port,
    username: bmc.username,
    password: bmc.password ?? '',
    cipherSuite: bmc.cipherSuite,
  });

  const call = async <T>(
    what: string,
    ctx: OperationContext,
    send: (t: BmcTarget, o: RequestOptions) => Promise<T>,
  ): Promise<T> => {
    const started = Date.now();
    try {
      const result = await send(target(), {
        timeoutMs: ctx.timeoutMs,
        signal: ctx.signal,
        onNote: (note) => ctx.logger.warn({ bmc: `${bmc.host}:${bmc.port}` }, note),
      });
      ctx.logger.debug({ bmc: `${bmc.host}:${bmc.port}`, ms: Date.now() - started }, what);
      return result;
    } catch (error) {
      if (ctx.signal.aborted && error === ctx.signal.reason) {
        if (!isTimeoutReason(error)) throw error;
        throw new DriverError('timeout', `${where}: ${what}: the deadline passed`);
      }
      if (error instanceof IpmiError) {
        // The library's messages already name the BMC; ours start with "ipmi host:port".
        const said = error.message.replace(`${bmc.host}:${bmc.port}: `, '');
        const fault = FAULTS[error.code];
        // The same lead as the ipmitool driver's, so operators and alerts read one wording.
        const lead = fault === 'auth' ? `authentication refused (user ${bmc.username}): ` : '';
        throw new DriverError(fault, `${where}: ${lead}${said}`, error.code);
      }
      throw error;
    }
  };

  return {
    ...ipmiIdentity(server, bmc),
    powerGetter: {
      async powerState(ctx: OperationContext): Promise<PowerState> {
        const status = await call('power status', ctx, (t, o) => client.chassisStatus(t, o));
        return status.powerOn ? 'on' : 'off';
      },
    },
    powerSetter: {
      async setPower(action: PowerAction, ctx: OperationContext): Promise<void> {
        checkPowerAction(where, action);
        await call(`power ${action}`, ctx, (t, o) => client.chassisControl(t, action, o));
      },
    },
    bootDeviceSetter: {
      async setBootDevice(
        device: BootDevice,
        bootOptions: BootOptions,
        ctx: OperationContext,
      ): Promise<void> {
        // The same devices as the ipmitool driver, so the two drivers are interchangeable.
        if (!settableBootDevices().includes(device) || !Object.hasOwn(BOOT_SELECTORS, device)) {
          throw new DriverError(
            'unsupported',
            `${where}: boot device "${device}" cannot be set over IPMI here ` +
              `(it can set ${settableBootDevices().join(', ')})`,
          );
        }
        await call(`boot device ${device}`, ctx, (t, o) =>
          client.setBootDevice(t, device as BootSelector, bootOptions, o),
        );
      },
    },
    bootDeviceGetter: {
      async bootDevice(ctx: OperationContext): Promise<BootDeviceReading> {
        const flags = await call('boot device', ctx, (t, o) => client.bootFlags(t, o));
        return {
          device: flags.device ?? `selector 0x${flags.selector.toString(16)}`,
          persistent: flags.persistent,
          efi: flags.efi,
        };
      },
    },
    bmcResetter: {
      async resetBmc(ctx: OperationContext): Promise<void> {
        const result = await call('BMC cold reset', ctx, (t, o) => client.coldReset(t, o));
        // As ipmitool does, the reset counts as sent whatever the BMC answered (IPMI v2.0 20.2
        // lets it restart first); an error answer (ipmi_sim: 0xC1) is logged, not hidden.
        if (result.completionCode) {
          ctx.logger.warn(
            { bmc: `${bmc.host}:${bmc.port}`, completionCode: result.completionCode },
            'the BMC answered Cold Reset with an error completion code; counted as sent',
          );
        }
      },
    },
  };
}

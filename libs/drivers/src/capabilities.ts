import type { BootDevice, PowerAction, PowerState } from '@switchboard/condition-types';
import type { Logger } from '@switchboard/logging';

/**
 * Small capability interfaces, as bmclib has them: a driver implements what its
 * platform can do, and the controller asks for a capability, never for a platform name.
 */
export interface OperationContext {
  /**
   * Aborted when the operation's deadline passes or the condition is cancelled. The running
   * tool or script is killed either way; a call aborted with a timeout reason (as
   * `AbortSignal.timeout()` gives) fails with a 'timeout' DriverError, any other abort rejects
   * with `signal.reason` itself, as `fetch` does, so the caller sees its own cancellation.
   */
  signal: AbortSignal;
  /** Deadline for a single call to the platform (one ipmitool or script run). */
  timeoutMs: number;
  logger: Logger;
}

export interface PowerGetter {
  powerState(ctx: OperationContext): Promise<PowerState>;
}

/** OpenFlight's words for a cloud node's power, as its power-status command prints them. */
export type OpenFlightPowerStatus = 'ON' | 'OFF' | 'PENDING' | 'STOPPING' | 'SLEEPING';

export interface PowerStatusReading {
  /** Undefined while the node is between two states. */
  power: PowerState | undefined;
  status: OpenFlightPowerStatus;
  /** The cloud's own word: EC2's `stopping`, Azure's `PowerState/deallocating`. */
  cloudState: string;
}

/** The power state in the platform's own detail, transitional states included (cloud drivers). */
export interface PowerStatusGetter {
  powerStatus(ctx: OperationContext): Promise<PowerStatusReading>;
}

export interface PowerSetter {
  setPower(action: PowerAction, ctx: OperationContext): Promise<void>;
}

export interface BootOptions {
  persistent: boolean;
  efi: boolean;
}

export interface BootDeviceSetter {
  setBootDevice(device: BootDevice, options: BootOptions, ctx: OperationContext): Promise<void>;
}

export interface BootDeviceReading extends BootOptions {
  /** Device name as the platform reports it, normalised to Switchboard's names where known. */
  device: BootDevice | string;
}

export interface BootDeviceGetter {
  bootDevice(ctx: OperationContext): Promise<BootDeviceReading>;
}

export interface BmcResetter {
  resetBmc(ctx: OperationContext): Promise<void>;
}

/**
 * A cloud node's machine type (EC2 instance type, Azure VM size). `catalog` names the table of
 * OpenFlight's abstract types that applies ("aws", "azure").
 */
export interface MachineTypeGetter {
  readonly catalog: string;
  machineType(ctx: OperationContext): Promise<string>;
}

export interface MachineTypeSetter {
  /**
   * Fails with an 'unsupported' DriverError whose code is `wrong_family` when the cloud would
   * refuse the change (another processor architecture), before anything is changed.
   */
  checkMachineType(type: string, ctx: OperationContext): Promise<void>;
  /** Only on a stopped node: the caller powers it off first and waits until it reads off. */
  setMachineType(type: string, ctx: OperationContext): Promise<void>;
}

/** One server's driver: a bag of optional capabilities. */
export interface Driver {
  /** Driver kind for logs ("ipmi", "shell:aws"); never used for decisions. */
  readonly kind: string;
  /** Server name. */
  readonly server: string;
  /** Key that serialises operations: two servers behind one BMC share it. */
  readonly lockKey: string;
  readonly powerGetter?: PowerGetter;
  readonly powerSetter?: PowerSetter;
  readonly powerStatusGetter?: PowerStatusGetter;
  readonly bootDeviceSetter?: BootDeviceSetter;
  readonly bootDeviceGetter?: BootDeviceGetter;
  readonly bmcResetter?: BmcResetter;
  readonly machineTypeGetter?: MachineTypeGetter;
  readonly machineTypeSetter?: MachineTypeSetter;
}

export type DriverFaultKind =
  | 'timeout' // no answer within the deadline: may be transient, retried with backoff
  // the address cannot be reached at all (no such host, no route); silence is 'timeout'
  | 'unreachable'
  | 'auth' // credentials refused: never retried
  | 'unsupported' // the platform cannot do this
  | 'transitional' // the node is between two states (a cloud VM stopping): read again later
  | 'command'; // the tool or script ran and reported an error

export interface DriverErrorOptions {
  /** Exit status of the tool or script that failed, when it ran to the end. */
  exitCode?: number;
  /** The platform's own error code (a cloud's `InvalidInstanceID.NotFound`), or ours. */
  code?: string;
}

/** Every driver failure says what kind of fault it is and carries the tool's own words. */
export class DriverError extends Error {
  readonly exitCode?: number;
  readonly code?: string;

  constructor(
    readonly fault: DriverFaultKind,
    message: string,
    readonly detail?: string,
    options: DriverErrorOptions = {},
  ) {
    super(message);
    this.name = 'DriverError';
    if (options.exitCode !== undefined) this.exitCode = options.exitCode;
    if (options.code !== undefined) this.code = options.code;
  }

  get transient(): boolean {
    return this.fault === 'timeout';
  }
}

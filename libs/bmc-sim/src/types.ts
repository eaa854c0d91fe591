/** How a simulated BMC treats the chassis commands it receives. */
export type BmcBehaviour =
  /** Does what it is told, at once. */
  | 'normal'
  /** Acknowledges every `set` (power, reset, soft-off, boot) but changes nothing. */
  | 'stuck'
  /** A power change becomes visible only `powerDelayMs` after the command, like a real server. */
  | 'slow';

export type PowerState = 'on' | 'off';

/** Boot devices as ipmi_sim names them (`chassis bootdev disk` reads back as `default`). */
export type BootDevice = 'none' | 'pxe' | 'default' | 'cdrom' | 'bios';

/** What a BMC needs to be reached over IPMI LAN. */
export interface BmcEndpoint {
  host: string;
  port: number;
  username: string;
  password: string;
}

/** One simulated BMC to start. */
export interface BmcSpec {
  /**
   * Unique within the base directory; `[A-Za-z0-9][A-Za-z0-9._-]{0,62}`. Also the directory name.
   */
  name: string;
  /** Loopback address to listen on; allocated with `allocateLoopbackAddresses` when omitted. */
  host?: string;
  /** UDP port (default 623, which needs root or CAP_NET_BIND_SERVICE). */
  port?: number;
  /** Admin user (default `admin`; at most 16 characters). */
  username?: string;
  /** Its password (default `password`; at most 20 characters, no spaces or quotes). */
  password?: string;
  /** Default `normal`. */
  behaviour?: BmcBehaviour;
  /** Delay of a `slow` BMC (default 2000 ms; ignored otherwise). */
  powerDelayMs?: number;
  /** Default `off`. */
  initialPower?: PowerState;
  /** Default `none`. */
  bootDevice?: BootDevice;
}

export interface StartOptions {
  /**
   * Directory that receives one sub-directory per BMC (`<baseDir>/<name>`). When omitted a
   * temporary directory is created and removed again by `stop()` (unless `keepFiles`).
   */
  baseDir?: string;
  /** Keep a temporary `baseDir` on stop (a given `baseDir` is never removed). */
  keepFiles?: boolean;
  /** How long one BMC may take to answer after its process started (default 10 000 ms). */
  startTimeoutMs?: number;
  /**
   * How readiness is checked: `rmcp` (default) sends RMCP/ASF presence pings from this
   * process; `ipmitool` runs `ipmitool -I lanplus -C 3 ... chassis power status` until it succeeds.
   */
  probe?: 'rmcp' | 'ipmitool';
  /** Probes running at the same time (default 32). Processes are all started at once. */
  probeConcurrency?: number;
  /** Path or name of the simulator binary (default `ipmi_sim`). */
  ipmiSimPath?: string;
  /** Defaults applied to every spec that does not set them (fleet only). */
  defaults?: Omit<BmcSpec, 'name' | 'host'>;
}

/** One `set` the BMC received from ipmi_sim, from its set-log. */
export interface BmcEvent {
  /** Milliseconds since the epoch. */
  ts: number;
  /** `power`, `reset`, `shutdown` (soft off), `boot`, `identify`, ... */
  action: string;
  /** `1`/`0` for power, the device for boot, `1` for reset and shutdown. */
  value: string;
}

/** Things that really happened to the simulated machine (a `stuck` BMC never counts). */
export interface BmcCounters {
  /** off -> on transitions (a power cycle is one powerOff plus one powerOn). */
  powerOn: number;
  /** on -> off transitions, including soft-offs. */
  powerOff: number;
  /** Hard resets while the machine was on. */
  resets: number;
  /** Soft shutdowns accepted while the machine was on. */
  softOffs: number;
}

export interface SimulatedBmc extends BmcEndpoint {
  readonly name: string;
  /** Directory holding the power/boot state files, the set-log and the generated configs. */
  readonly stateDir: string;
  /** Process id of ipmi_sim. */
  readonly pid: number;
  /** False once stopped or once the process died. */
  readonly running: boolean;
  /** The power state visible now (a pending change of a slow BMC counts once due). */
  power(): PowerState;
  bootDevice(): string;
  /**
   * Changes the power state directly (the hand on the button, not an IPMI command): no event, no
   * counter.
   */
  setPower(state: PowerState): void;
  /** Changes the behaviour of the running BMC (for example to make it stuck mid-test). */
  setBehaviour(behaviour: BmcBehaviour, powerDelayMs?: number): void;
  /** Every `set` received so far, oldest first. */
  events(): BmcEvent[];
  counters(): BmcCounters;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. Idempotent. */
  stop(): Promise<void>;
}

export interface SimulatedFleet {
  readonly bmcs: SimulatedBmc[];
  /** Directory holding one sub-directory per BMC. */
  readonly baseDir: string;
  /** The BMC with that name; throws when there is none. */
  get(name: string): SimulatedBmc;
  /** Stops every BMC (in parallel). */
  stop(): Promise<void>;
}

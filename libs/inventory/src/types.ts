import type { ExpandOptions } from './range-expand';

/**
 * How Switchboard powers a server: natively over IPMI, natively through a cloud's SDK (AWS EC2,
 * Azure Compute), through an OpenFlight shell platform, or not at all.
 */
export type Driver = 'ipmi' | 'aws' | 'azure' | 'shell' | 'none';

/** An EC2 instance, with OpenFlight Power's keys (`ec2_id`, `region`). */
export interface AwsTarget {
  cloud: 'aws';
  instanceId: string;
  region: string;
  /** Shared-config profile for the SDK's credential chain; unset: the default chain. */
  profile?: string;
}

/** How an Azure VM is powered off: deallocated (stops compute billing) or only powered off. */
export type AzureOffAction = 'deallocate' | 'power_off';

/** An Azure VM, with OpenFlight's keys (`resource_group`, the VM name). */
export interface AzureTarget {
  cloud: 'azure';
  subscriptionId: string;
  resourceGroup: string;
  vmName: string;
  /** For DefaultAzureCredential; unset: its own defaults (environment, workload identity, ...). */
  tenantId?: string;
  clientId?: string;
  offAction: AzureOffAction;
}

export type CloudTarget = AwsTarget | AzureTarget;

/** The two implementations of the `ipmi` platform. */
export const IPMI_DRIVERS = ['native', 'ipmitool'] as const;
export type IpmiDriverName = (typeof IPMI_DRIVERS)[number];

export interface BmcConfig {
  host: string;
  port: number;
  username: string;
  /**
   * Resolved at load time. Non-enumerable, so logging, `JSON.stringify` or
   * spreading a server entry never copies it; read it as `bmc.password`.
   */
  password?: string;
  /** IPMI v2 / RMCP+ cipher suite (ipmitool `-C`). */
  cipherSuite: number;
}

export interface ShellPlatform {
  name: string;
  /** Node keys passed to the commands as shell variables. */
  variables: string[];
  /**
   * Node keys other than lower-case identifiers that this platform's nodes may set
   * (`allowed_keys`); every other such key is refused when the inventory loads.
   */
  allowedKeys: string[];
  /**
   * Names of the controller's own environment variables its commands receive as they are
   * (`pass_env`; a cloud CLI's credentials file or profile, say): values from the controller's
   * environment, never from the inventory. None by default.
   */
  passEnv: string[];
  powerOn?: string;
  powerOff?: string;
  restart?: string;
  status?: string;
  /** Exit code of `status` meaning "powered off"; 0 means "on", anything else is a failure. */
  statusOffExitCode: number;
  /**
   * Settings of the native cloud platforms (`aws`, `azure`) written under their name, e.g.
   * `profile`, `region`, `subscription_id`: defaults for every node on that platform.
   */
  settings: Record<string, string>;
  line: number;
}

export interface ServerEntry {
  name: string;
  /** Lower-case UUID, unique in the file. */
  id?: string;
  platform?: string;
  driver: Driver;
  /** OpenFlight Action ranks in priority order; always ends with `default`. */
  ranks: string[];
  /** Names of the groups that list this server, in file order. */
  groups: string[];
  /** Every scalar key of the node as written, stringified, for environment variables. */
  attributes: Record<string, string>;
  /**
   * Keys besides lower-case identifiers its platform allows (`allowed_keys`); scripts get these
   * too.
   */
  allowedKeys?: string[];
  /** Only for the `ipmi` driver. */
  bmc?: BmcConfig;
  /**
   * Only for the `ipmi` driver: how IPMI is spoken, natively (libs/ipmi, the default) or by
   * running ipmitool. From the node's `driver:` key, else `platforms.ipmi.driver`.
   */
  ipmiDriver?: IpmiDriverName;
  /** Only for the `aws` and `azure` drivers. */
  cloud?: CloudTarget;
  /** Line of the node's key in the inventory file. */
  line: number;
}

/** What may be shown to any client: no attributes, no BMC details. */
export interface PublicServer {
  name: string;
  id?: string;
  /** `id`, or the UUID derived from the name (`serverUuid`). */
  uuid: string;
  platform?: string;
  driver: Driver;
  ranks: string[];
  groups: string[];
}

export interface ResolveResult {
  servers: ServerEntry[];
  /** Names, ids or `@groups` in the expression that the inventory does not know. */
  unknown: string[];
}

export interface Inventory {
  /** Path of the file as given to the loader. */
  file: string;
  /** In file order. */
  servers: ServerEntry[];
  platforms: Map<string, ShellPlatform>;
  /** Group name → member server names. */
  groups: Map<string, string[]>;
  /** By name first, then by id or derived UUID (`serverUuid`; case-insensitive). */
  get(nameOrId: string): ServerEntry | undefined;
  /**
   * Resolves a range expression (`node[01-04],@gpu,<uuid>`) to servers, in
   * the order written, without duplicates. Throws `RangeExpressionError` when
   * the expression itself is malformed.
   */
  resolve(expr: string, options?: ExpandOptions): ResolveResult;
  /**
   * The names `resolve` would answer, one at a time: a server's inventory name (when named
   * by id too), an unknown name as written, an unknown group as `@name`. A caller that stops
   * early pays for nothing past where it stopped.
   */
  names(expr: string, options?: ExpandOptions): Generator<string>;
  toPublicView(): PublicServer[];
}

import type { BmcConfig } from '@switchboard/inventory';

/** ipmitool's own retry settings: `-R` attempts per request, `-N` seconds for the first wait. */
export interface IpmitoolRetries {
  retries: number;
  timeoutSeconds: number;
}

const MAX_RETRIES = 4; // ipmitool's default for lanplus
// Room for process start-up and the final message, so ipmitool reports before we kill it.
const MARGIN_MS = 250;

/**
 * How long ipmitool 1.8.19 (lanplus) takes to give up when nothing answers. Each attempt waits
 * one second longer than the one before (`N`, `N+1`, ...), and the first request of a session
 * (Get Channel Authentication Capabilities) goes out twice, with and without the IPMI v2 bit.
 * Measured against a silent loopback address: R1 N1 2 s, R1 N2 4 s, R2 N1 6 s, R2 N2 10 s,
 * R3 N1 12 s, R4 N1 (the defaults) 20 s.
 */
export function ipmitoolGiveUpMs({ retries, timeoutSeconds }: IpmitoolRetries): number {
  let seconds = 0;
  for (let attempt = 0; attempt < retries; attempt++) seconds += timeoutSeconds + attempt;
  return 2 * seconds * 1000;
}

/**
 * As many attempts as fit in the deadline, so a lost datagram is retried but ipmitool still gives
 * up (and says why) before we have to kill it. The first wait stays at one second: a BMC that
 * answers at all answers in milliseconds. A deadline under ~2 s is enforced by killing ipmitool.
 */
export function retriesFor(timeoutMs: number): IpmitoolRetries {
  let best: IpmitoolRetries = { retries: 1, timeoutSeconds: 1 };
  for (let retries = 2; retries <= MAX_RETRIES; retries++) {
    const candidate = { retries, timeoutSeconds: 1 };
    if (ipmitoolGiveUpMs(candidate) + MARGIN_MS <= timeoutMs) best = candidate;
  }
  return best;
}

/**
 * `host:port` for messages; an IPv6 address in brackets, or its last group would read as the port.
 */
export function endpointOf(bmc: Pick<BmcConfig, 'host' | 'port'>): string {
  return bmc.host.includes(':') ? `[${bmc.host}]:${bmc.port}` : `${bmc.host}:${bmc.port}`;
}

/**
 * The argv for one ipmitool call. The password never goes here: with `-E` ipmitool reads it from
 * IPMI_PASSWORD, where `ps` cannot see it. `-C` is always given, since ipmitool otherwise first
 * asks for the cipher-suite list, which some BMCs (ipmi_sim among them) never answer. `-v` makes
 * ipmitool say why a session failed ("RAKP 2 HMAC is invalid", "unauthorized name", "Get Auth
 * Capabilities error"); without it, a wrong password, an unknown user and silence all read
 * "Unable to establish IPMI v2 / RMCP+ session". It adds chatter on stderr only.
 */
export function ipmitoolArgv(
  bmc: BmcConfig,
  retries: IpmitoolRetries,
  command: readonly string[],
): string[] {
  return [
    '-I',
    'lanplus',
    '-H',
    bmc.host,
    '-p',
    String(bmc.port),
    ...(bmc.username ? ['-U', bmc.username] : []),
    '-C',
    String(bmc.cipherSuite),
    '-R',
    String(retries.retries),
    '-N',
    String(retries.timeoutSeconds),
    ...(bmc.password !== undefined ? ['-E'] : []),
    '-v',
    ...command,
  ];
}

import type { DriverFaultKind } from './capabilities';
import { MAX_REASON_CHARS, bounded } from './output-text';

export interface IpmitoolFailure {
  fault: DriverFaultKind;
  /** What went wrong, in our words ("authentication refused", "no answer"). */
  summary: string;
  /** ipmitool's own line that decided the fault. */
  reason: string;
}

interface Rule {
  fault: DriverFaultKind;
  summary: string;
  pattern: RegExp;
}

/*
 * What ipmitool 1.8.19 `-v` prints (stderr) and what it means. Seen against ipmi_sim:
 *   wrong password  "> RAKP 2 HMAC is invalid"
 *   unknown user    "RAKP 2 message indicates an error : unauthorized name"
 *   nothing there   "Get Auth Capabilities error" + "Error issuing Get Channel Authentication
 *                   Capabilities request" (after its retries; loopback sends no ICMP error it
 * notices)   bad host name   "Address lookup for no-such-host.invalid failed" + "Could not open
 * socket!" Each ends with "Error: Unable to establish IPMI v2 / RMCP+ session". The other RAKP
 * status texts are ipmitool's table of RMCP+ status codes (IPMI v2.0 table 13-15).
 * Order matters: the first rule that matches wins, and the generic session error comes last.
 */
const RULES: Rule[] = [
  { fault: 'auth', summary: 'authentication refused', pattern: /RAKP \d HMAC is invalid/i },
  {
    fault: 'auth',
    summary: 'authentication refused',
    pattern:
      /RAKP \d message indicates an error : (unauthorized name|invalid name length|unauthorized role or privilege level requested|unauthorized GUID|invalid integrity check value)/i,
  },
  {
    fault: 'auth',
    summary: 'authentication refused',
    pattern: /Invalid user name|password (is )?(invalid|incorrect)/i,
  },
  // The BMC answered but does not speak the cipher suite we asked for: configuration, not a glitch.
  {
    fault: 'unsupported',
    summary: 'cipher suite refused',
    pattern:
      /no cipher suite match|invalid (authentication|integrity|confidentiality) algorithm|Unsupported cipher suite/i,
  },
  {
    fault: 'unreachable',
    summary: 'unreachable',
    pattern:
      /Address lookup for \S+ failed|Network is unreachable|No route to host|Connection refused|Could not open socket/i,
  },
  // A BMC that is rebooting (after `mc reset cold`) or out of sessions answers again later.
  {
    fault: 'timeout',
    summary: 'BMC has no free session',
    pattern: /insufficient resources (for|to create) (a )?session/i,
  },
  {
    fault: 'timeout',
    summary: 'no answer',
    pattern:
      /Get Auth Capabilities error|No response from remote controller|Unable to establish IPMI v2 \/ RMCP\+ session/i,
  },
];

/** Drops what `-v` adds on every call, so `detail` keeps only what concerns the failure. */
export function withoutChatter(stderr: string): string {
  const kept: string[] = [];
  let afterVsoProbe = false;
  for (const line of stderr.split('\n')) {
    const probing = /^Running Get VSO Capabilities/.test(line);
    // The VSO probe is answered "Invalid command" by every non-VITA BMC: expected, not a failure.
    const chatter =
      probing ||
      /^Loading IANA PEN Registry/.test(line) ||
      /^Discovered IPMB address/.test(line) ||
      (afterVsoProbe && /^Invalid completion code received: Invalid command/.test(line)) ||
      line.trim() === '';
    afterVsoProbe = probing;
    if (!chatter) kept.push(line);
  }
  return kept.join('\n');
}

/** Classifies a failed ipmitool run (non-zero exit) by its stderr. */
export function classifyIpmitoolFailure(stderr: string): IpmitoolFailure {
  const lines = withoutChatter(stderr).split('\n');
  for (const rule of RULES) {
    const line = lines.find((l) => rule.pattern.test(l));
    if (line)
      return {
        fault: rule.fault,
        summary: rule.summary,
        reason: bounded(line.replace(/^>\s*/, ''), MAX_REASON_CHARS),
      };
  }
  const last = lines.filter((l) => l.trim()).at(-1) ?? 'no message';
  return { fault: 'command', summary: 'failed', reason: bounded(last, MAX_REASON_CHARS) };
}

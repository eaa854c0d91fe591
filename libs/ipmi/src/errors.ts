/**
 * What went wrong, in words an operator can act on. `code` is for programs, the message names
 * the BMC (address:port) and what to check.
 */
export type IpmiErrorCode =
  /** No answer within the deadline; the address and port are in the message. */
  | 'timeout'
  /** The host name does not resolve, or the socket cannot send to it. */
  | 'unreachable'
  /** RAKP 2's key exchange code did not verify: the password is wrong. */
  | 'wrong-password'
  /** The BMC does not know the user name (RAKP status "unauthorized name"). */
  | 'unknown-user'
  /** The BMC refused the privilege level asked for (the user's limit or the channel's). */
  | 'privilege-refused'
  /** The BMC does not offer the cipher suite (or it is one this library does not speak). */
  | 'cipher-suite-unsupported'
  /** The BMC has no free session slot, or answered "node busy". */
  | 'busy'
  /** Session set-up failed for another reason the BMC gave (RMCP+ status code). */
  | 'session-refused'
  /** The BMC answered the command with a completion code other than success. */
  | 'completion-code'
  /** The BMC's answer was malformed or failed its integrity check. */
  | 'protocol'
  /**
   * A non-repeatable command (chassis control, cold reset) got no answer, and whether the BMC
   * acted on it could not be told: it is not sent again.
   */
  | 'outcome-unknown'
  /** The client was closed while the request was pending. */
  | 'closed';

export class IpmiError extends Error {
  constructor(
    readonly code: IpmiErrorCode,
    message: string,
    /** The IPMI completion code or RMCP+ status code, when the BMC gave one. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'IpmiError';
  }
}

/** A packet that cannot be decoded: too short, a field out of range, a bad checksum. */
export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeError';
  }
}

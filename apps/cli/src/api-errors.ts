import { STATUS_CODES } from 'node:http';
import type { ErrorResponse } from '@switchboard/condition-types';

/** An error answer: the API's `ErrorResponse`, or what another server said (no `code`). */
export type ErrorAnswer = Omit<ErrorResponse, 'code'> & { code?: ErrorResponse['code'] };
import { CliError } from './errors';
import { ExitCode } from './exit-codes';
import { formatDuration } from './output/duration';
import { oneLine } from './output/terminal-safe';

/** Nothing answered at the base URL (refused, DNS, TLS, timeout). */
export class ApiUnreachableError extends CliError {
  readonly exitCode = ExitCode.Api;
  constructor(
    readonly baseUrl: string,
    readonly reason: string,
    /** The request never left (connection refused, no such host): the API did nothing. */
    readonly neverSent = false,
    /** Another attempt may get through (false: a refused TLS certificate). */
    readonly retryable = true,
  ) {
    super(`cannot reach the Switchboard API at ${baseUrl}: ${reason}`);
    this.name = 'ApiUnreachableError';
  }
}

/** The API answered with an error status for the request as a whole. */
export class ApiRequestError extends CliError {
  readonly exitCode: ExitCode;
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly statusText: string,
    /** The API's error body, when it was one. */
    readonly body: ErrorAnswer | undefined,
    readonly hint?: string,
  ) {
    const said = body?.message ? `: ${oneLine(body.message)}` : '';
    const phrase = body?.error || statusText || STATUS_CODES[status] || '';
    super(`the API refused ${method} ${path} (${status}${phrase ? ` ${phrase}` : ''})${said}`);
    this.name = 'ApiRequestError';
    // A 400 means the command asked for something invalid: retrying will not help, fix the command.
    this.exitCode = status === 400 || status === 422 ? ExitCode.Usage : ExitCode.Api;
  }

  override details(): string[] {
    const lines = (this.body?.issues ?? []).map(
      (i) => `  ${oneLine(i.path || '(body)')}: ${oneLine(i.message)}`,
    );
    if (this.body?.conditionId) lines.push(`  conflicting condition: ${this.body.conditionId}`);
    if (this.hint) lines.push(this.hint);
    return lines;
  }
}

/**
 * The API answered 2xx with something that is not the contract's shape (a version mismatch, or not
 * the API at all).
 */
export class ApiProtocolError extends CliError {
  readonly exitCode = ExitCode.Api;
  constructor(
    readonly method: string,
    readonly url: string,
    reason: string,
  ) {
    super(`unexpected answer to ${method} ${url}: ${reason}`);
    this.name = 'ApiProtocolError';
  }
}

/** Codes of fetch failures that mean the request never reached any server. */
const NEVER_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** Fetch failures that another attempt cannot cure (the certificate will still be refused). */
const PERMANENT = /CERT|TLS|SSL|LEAF_SIGNATURE/;

/** Whether another attempt may get through: not for a refused certificate. */
export function retryable(err: unknown): boolean {
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  return !(typeof cause?.code === 'string' && PERMANENT.test(cause.code));
}

/** Whether what fetch threw means the request never left (so nothing was created). */
export function neverSent(err: unknown): boolean {
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  return typeof cause?.code === 'string' && NEVER_SENT.has(cause.code);
}

/**
 * A create that may have reached the API, whose answer never came within the retry window:
 * the conditions may or may not exist. Repeating the command with the same key would tell.
 */
export class CreateOutcomeUnknownError extends CliError {
  readonly exitCode = ExitCode.OutcomeUnknown;
  constructor(
    readonly idempotencyKey: string,
    readonly last: Error,
  ) {
    super(
      `the create may have been received, but no answer came (${oneLine(last.message)}); ` +
        `its conditions may exist: check with mctl status (Idempotency-Key ${idempotencyKey})`,
    );
    this.name = 'CreateOutcomeUnknownError';
  }
}

/** Worth asking again after a pause: the API was briefly away, overloaded or mid-restart. */
export function isTransient(err: unknown): boolean {
  if (err instanceof ApiUnreachableError || err instanceof ApiProtocolError) return true;
  return err instanceof ApiRequestError && (err.status >= 500 || err.status === 429);
}

/** Turns what fetch threw into words: the useful part is in `cause` (see http-fetch.ts). */
export function describeFetchError(err: unknown, timeoutMs: number): string {
  // Duck-typed: fetch's errors come from Node's own realm, where `instanceof Error` of another
  // realm fails.
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    name?: unknown;
    message?: unknown;
    cause?: unknown;
  };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') {
    return `no answer within ${formatDuration(timeoutMs)}`;
  }
  const cause = (typeof e.cause === 'object' && e.cause !== null ? e.cause : {}) as {
    code?: unknown;
    message?: unknown;
  };
  const code = typeof cause.code === 'string' ? cause.code : undefined;
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused (is conditions-api running?)',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    ECONNRESET: 'connection reset',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ETIMEDOUT: 'connection timed out',
    UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
    UND_ERR_SOCKET: 'connection closed by the other side',
    DEPTH_ZERO_SELF_SIGNED_CERT:
      'self-signed TLS certificate (name its CA with ca_file: in the config, or set ' +
      'verify_ssl: false)',
    SELF_SIGNED_CERT_IN_CHAIN:
      'self-signed TLS certificate in the chain (name its CA with ca_file: in the ' +
      'config, or set verify_ssl: false)',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      'TLS certificate cannot be verified (name its CA with ca_file: in the config, or ' +
      'set verify_ssl: false)',
    ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host name',
    CERT_HAS_EXPIRED: 'TLS certificate expired',
  };
  if (code && known[code]) return known[code];
  if (typeof cause.message === 'string' && cause.message !== '') return cause.message;
  return typeof e.message === 'string' ? e.message : String(err);
}

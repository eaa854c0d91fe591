import { z } from 'zod';

/**
 * The machine-readable `code` of every error answer: clients decide by it, never by the
 * message's wording.
 */
export const errorCodes = [
  /** 400: a path parameter, query or body is wrong; `issues` names each field. */
  'invalid_request',
  /** 400: `fault` given where the deployment or the token does not allow it. */
  'fault_not_allowed',
  /** 401: no valid token. */
  'unauthenticated',
  /** 403: the token lacks the scope, or its servers claim does not cover the server. */
  'forbidden',
  /** 404: no such route. */
  'unknown_route',
  /** 404: the server is not in the inventory. */
  'unknown_server',
  /** 404: the server is known but has no condition (of that kind). */
  'no_condition',
  /** 404: no condition with this id. */
  'unknown_condition',
  /** 404: no such command, or it is broken. */
  'unknown_command',
  /** 409: the server already has a condition that is not final (`conditionId`). */
  'server_busy',
  /** 409: the condition cannot be cancelled. */
  'not_cancellable',
  /** 422: the Idempotency-Key was used for another request within its window. */
  'idempotency_key_reused',
  /** 413, 414, 415: the request is too large, its URL too long, or its body not JSON. */
  'payload_too_large',
  'uri_too_long',
  'unsupported_media_type',
  /** 429: over the rate limit, or too many open output streams. */
  'rate_limited',
  'too_many_streams',
  /** 429: too many waits (`?wait`, `/outcomes`) open for this subject or in all. */
  'too_many_waits',
  /** 500: a bug; see the API log. */
  'internal_error',
  /** 501: a conditionorc route Switchboard does not serve. */
  'not_implemented',
  /** 503: NATS is unreachable; nothing was created. */
  'unavailable',
  // Not HTTP answers: a condition's `errorCode` when the controller refused to run it because
  // its record is not one a Switchboard process wrote (libs/condition-signing).
  /** The record carries no signature: written by something other than the API or a controller. */
  'signature_missing',
  /** The signature does not match the record, or is by a key the controller does not hold. */
  'signature_invalid',
  /**
   * NATS stored the record long after the time it was signed at: a copy of an earlier version
   * written again (a replay), or a writer whose clock is off.
   */
  'signature_stale',
] as const;
export const ErrorCode = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** The code an error of this status has unless a more precise one is given. */
export function defaultErrorCode(status: number): ErrorCode {
  const byStatus: Record<number, ErrorCode> = {
    400: 'invalid_request',
    401: 'unauthenticated',
    403: 'forbidden',
    404: 'unknown_route',
    409: 'server_busy',
    413: 'payload_too_large',
    414: 'uri_too_long',
    415: 'unsupported_media_type',
    429: 'rate_limited',
    501: 'not_implemented',
    503: 'unavailable',
  };
  return byStatus[status] ?? (status >= 500 ? 'internal_error' : 'invalid_request');
}

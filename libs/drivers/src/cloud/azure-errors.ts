import { DriverError, DriverFaultKind } from '../capabilities';

interface RestLikeError {
  name?: string;
  code?: string;
  statusCode?: number;
  message?: string;
}

const AUTH_NAMES = new Set([
  'CredentialUnavailableError',
  'AuthenticationRequiredError',
  'AuthenticationError',
]);

/**
 * One Azure failure as a DriverError naming the node and ARM's error code. The SDK's pipeline
 * has already retried 429 (after Retry-After) and 5xx answers; what reaches here is final, or
 * outlasted those retries and is a 'timeout' the controller may retry later.
 */
export function azureFailure(err: unknown, label: string): DriverError {
  if (err instanceof DriverError) return err;
  const e = (err ?? {}) as RestLikeError;
  const status = e.statusCode;
  const code =
    e.code ?? (AUTH_NAMES.has(e.name ?? '') ? e.name : undefined) ?? `HTTP ${status ?? '?'}`;
  const said = (e.message ?? String(err)).split('\n')[0];
  let fault: DriverFaultKind = 'command';
  if (status === 401 || status === 403 || AUTH_NAMES.has(e.name ?? '')) fault = 'auth';
  else if (status === 429 || (status !== undefined && status >= 500)) fault = 'timeout';
  else if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'REQUEST_SEND_ERROR'].includes(code))
    fault = 'unreachable';
  return new DriverError(fault, `${label}: Azure ${code}: ${said}`, undefined, { code });
}

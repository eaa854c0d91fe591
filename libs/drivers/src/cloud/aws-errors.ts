import { DriverError, DriverFaultKind } from '../capabilities';

/** EC2's error codes (and the SDK's error names) by what they mean to the controller. */
const AUTH = new Set([
  'AuthFailure',
  'UnauthorizedOperation',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'RequestExpired',
  'OptInRequired',
  'CredentialsProviderError',
]);
const THROTTLING = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
]);
const UNAVAILABLE = new Set([
  'ServiceUnavailable',
  'Unavailable',
  'InternalError',
  'InsufficientInstanceCapacity',
]);

interface SdkError {
  name?: string;
  message?: string;
  Code?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * One EC2 failure as a DriverError naming the node and EC2's code. The SDK has already retried
 * throttling and 5xx answers with backoff (its standard retry strategy); what reaches here
 * either is final (credentials, unknown instance, wrong state) or outlasted those retries, and
 * then is a 'timeout' the controller may retry later.
 */
export function awsFailure(err: unknown, label: string): DriverError {
  if (err instanceof DriverError) return err;
  const e = (err ?? {}) as SdkError;
  const code = e.Code ?? e.code ?? e.name ?? 'Error';
  const said = (e.message ?? String(err)).split('\n')[0];
  const status = e.$metadata?.httpStatusCode;
  let fault: DriverFaultKind = 'command';
  let hint = '';
  if (AUTH.has(code)) fault = 'auth';
  else if (THROTTLING.has(code) || UNAVAILABLE.has(code) || (status !== undefined && status >= 500))
    fault = 'timeout';
  else if (code === 'TimeoutError' || code === 'AbortError') fault = 'timeout';
  else if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNRESET'].includes(code))
    fault = 'unreachable';
  else if (code === 'InvalidInstanceID.NotFound')
    hint = ' (wrong region, or the instance was terminated)';
  return new DriverError(fault, `${label}: EC2 ${code}: ${said}${hint}`, undefined, { code });
}

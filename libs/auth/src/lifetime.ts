import { MAX_TOKEN_DAYS } from './token-days';

/** Longest lifetime (exp - iat) a token may have, in seconds: what the minter allows. */
export const MAX_TOKEN_SECONDS = MAX_TOKEN_DAYS * 86_400;
/** How far a token's `iat` may lie ahead of this host's clock (clock skew between hosts). */
export const MAX_CLOCK_SKEW_SECONDS = 60;

/**
 * Why a token's times are not ones the minter makes, or undefined. Tokens cannot be revoked
 * one by one, so a verifier that trusted any `exp` would honour a token "for ever" forged
 * by whoever once held the secret, or minted by a tool that ignores the cap.
 */
export function lifetimeProblem(
  iat: unknown,
  exp: unknown,
  nowSeconds: number,
): string | undefined {
  if (exp === undefined) return 'token has no expiry (exp); tokens must expire';
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return 'token exp claim is not a number';
  if (iat === undefined) return 'token has no issue time (iat)';
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return 'token iat claim is not a number';
  if (iat > nowSeconds + MAX_CLOCK_SKEW_SECONDS)
    return `token issued in the future (iat ${new Date(iat * 1000).toISOString()})`;
  if (exp <= iat) return 'token expires before it was issued (exp <= iat)';
  if (exp - iat > MAX_TOKEN_SECONDS)
    return `token lifetime (exp - iat) is over the maximum of ${MAX_TOKEN_DAYS} days`;
  return undefined;
}

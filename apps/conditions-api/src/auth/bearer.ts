import { TokenRefused } from './token-verifier';

// RFC 6750 section 2.1: the scheme is case-insensitive; the token is a b64token.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The token of an `Authorization: Bearer <token>` header. Reasons never repeat the header: it may
 * hold a credential.
 */
export function bearerToken(header: string | string[] | undefined): string {
  if (header === undefined || header === '')
    throw new TokenRefused('no bearer token: send "Authorization: Bearer <token>"');
  if (Array.isArray(header)) throw new TokenRefused('more than one Authorization header');
  const match = BEARER.exec(header);
  if (match) return match[1];
  const scheme = /^\S+/.exec(header)?.[0] ?? '';
  if (/^bearer$/i.test(scheme))
    throw new TokenRefused('malformed Authorization header: expected "Bearer <token>"');
  throw new TokenRefused('malformed Authorization header: the scheme must be Bearer');
}

import jwt from 'jsonwebtoken';
import { Scope, isScope } from './scopes';
import { checkSecret } from './secret-strength';
import { subjectProblem } from './subject';
import { TOKEN_ALGORITHM } from './algorithm';
import { DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS } from './token-days';

export interface TokenRequest {
  subject: string;
  scopes: readonly Scope[];
  /** Lifetime in days (fractions allowed); default 30. */
  days?: number;
  /**
   * Restricts the token to these servers: a range/group expression resolved when the token is used.
   */
  servers?: string;
  /** The issue time, for tests. */
  now?: Date;
}

/**
 * An HS256 token the API accepts: `sub`, `scope` (space-separated, as OAuth 2.0 writes it),
 * `iat`, `exp`, and `servers` when given. Throws naming the first thing that is wrong with
 * the request; the message never includes the secret.
 */
export function mintToken(request: TokenRequest, secret: string): string {
  const problem = subjectProblem(request.subject);
  if (problem) throw new Error(problem);
  if (request.scopes.length === 0) throw new Error('a token needs at least one scope');
  const unknown = request.scopes.filter((s) => !isScope(s));
  if (unknown.length > 0) throw new Error(`unknown scope ${JSON.stringify(unknown[0])}`);
  const days = request.days ?? DEFAULT_TOKEN_DAYS;
  if (!Number.isFinite(days) || days <= 0 || days > MAX_TOKEN_DAYS)
    throw new Error(`days must be a number above 0 and at most ${MAX_TOKEN_DAYS}, got ${days}`);
  if (request.servers !== undefined && request.servers.trim() === '')
    throw new Error('the servers expression is empty');

  const iat = Math.floor((request.now ?? new Date()).getTime() / 1000);
  const payload = {
    sub: request.subject,
    scope: [...new Set(request.scopes)].join(' '),
    ...(request.servers === undefined ? {} : { servers: request.servers }),
    iat,
    exp: iat + Math.round(days * 86_400),
  };
  return jwt.sign(payload, checkSecret(secret, 'the configuration'), {
    algorithm: TOKEN_ALGORITHM,
  });
}

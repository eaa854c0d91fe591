import { createSecretKey, KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { quote } from '../text/clip';
import type { Principal } from './principal';
import {
  Scope,
  TOKEN_ALGORITHM,
  checkSecret,
  isScope,
  lifetimeProblem,
  subjectProblem,
} from '@switchboard/auth';

/** Longest `servers` claim accepted, the same bound as a batch request's `targets`. */
const MAX_SERVERS_CLAIM = 4096;

/**
 * A token that does not authenticate anybody; `reason` is short and safe to show (never the token).
 */
export class TokenRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'TokenRefused';
  }
}

/**
 * The `scope` claim: a space-separated string (OAuth 2.0) or an array of strings. Names not known
 * here are ignored.
 */
function scopesOf(claim: unknown): Set<Scope> {
  let names: string[];
  if (claim === undefined) names = [];
  else if (typeof claim === 'string') names = claim.split(' ');
  else if (Array.isArray(claim) && claim.every((s) => typeof s === 'string')) names = claim;
  else
    throw new TokenRefused(
      'token scope claim must be a space-separated string or an array of strings',
    );
  return new Set(names.filter(isScope));
}

function serversOf(claim: unknown): string | undefined {
  if (claim === undefined) return undefined;
  if (typeof claim !== 'string' || claim.trim() === '' || claim.length > MAX_SERVERS_CLAIM) {
    throw new TokenRefused(
      `token servers claim must be a range/group expression of 1 to ${MAX_SERVERS_CLAIM} ` +
        `characters`,
    );
  }
  return claim;
}

/**
 * jsonwebtoken's failures as reasons. Its other messages are not passed on: some quote parts of the
 * token.
 */
function refusal(err: unknown): TokenRefused {
  if (err instanceof jwt.TokenExpiredError)
    return new TokenRefused(`token expired at ${err.expiredAt.toISOString()}`);
  if (err instanceof jwt.NotBeforeError)
    return new TokenRefused(`token not valid before ${err.date.toISOString()}`);
  if (err instanceof jwt.JsonWebTokenError && err.message === 'invalid signature')
    return new TokenRefused('bad token signature');
  if (err instanceof jwt.JsonWebTokenError && /^invalid (exp|nbf) value$/.test(err.message))
    return new TokenRefused(`token ${err.message.slice(8, 11)} claim is not a number`);
  return new TokenRefused('malformed token');
}

/**
 * Verifies HS256 bearer tokens against the API's secret. Beyond jsonwebtoken's checks it
 * accepts only what `mintToken` makes: an expiry (OpenFlight's server accepts tokens
 * without `exp` forever; this one does not) within the maximum lifetime of the issue time,
 * an issue time not in the future, no `crit` header, and a subject of the minter's syntax,
 * which becomes `requestedBy`. The secret is an ES private
 * field, so printing or logging the verifier cannot show it.
 */
export class TokenVerifier {
  // A KeyObject, not the string: given a string, jsonwebtoken first tries to parse it as a
  // PEM public key on every call, which cost ~0.5 ms of CPU per request (16 us with this).
  readonly #secret: KeyObject;

  constructor(secret: string, origin = 'the configuration') {
    this.#secret = createSecretKey(Buffer.from(checkSecret(secret, origin), 'utf8'));
  }

  /** The principal of `token`, or `TokenRefused` saying why not. `now` is for tests. */
  verify(token: string, now: Date = new Date()): Principal {
    // Decoded before verification only to name a refused algorithm; nothing else is trusted yet.
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.header !== 'object') throw new TokenRefused('malformed token');
    const alg: unknown = decoded.header.alg;
    if (alg !== TOKEN_ALGORITHM) {
      throw new TokenRefused(
        `token algorithm ${typeof alg === 'string' ? quote(alg, 20) : 'missing'} is not ` +
          `accepted; only ${TOKEN_ALGORITHM}`,
      );
    }
    // RFC 7515 4.1.11: a recipient must refuse extensions it is told are critical and does
    // not understand. This one understands none, and the minter never writes `crit`.
    if ('crit' in decoded.header)
      throw new TokenRefused('token header has critical extensions (crit); none is accepted');
    let payload: string | jwt.JwtPayload;
    try {
      payload = jwt.verify(token, this.#secret, {
        algorithms: [TOKEN_ALGORITHM],
        clockTimestamp: Math.floor(now.getTime() / 1000),
      });
    } catch (err) {
      throw refusal(err);
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
      throw new TokenRefused('token payload is not a JSON object');
    const times = lifetimeProblem(payload.iat, payload.exp, Math.floor(now.getTime() / 1000));
    if (times) throw new TokenRefused(times);
    const problem = subjectProblem(payload.sub);
    if (problem) throw new TokenRefused(problem);
    const servers = serversOf(payload.servers);
    return {
      subject: payload.sub as string,
      scopes: scopesOf(payload.scope),
      ...(servers === undefined ? {} : { servers }),
      expiresAt: new Date((payload.exp as number) * 1000),
    };
  }
}

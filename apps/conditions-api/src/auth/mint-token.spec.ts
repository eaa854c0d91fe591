import jwt from 'jsonwebtoken';
import { JWT_SECRET } from '../testing/harness';
import { TokenRequest, mintToken } from '@switchboard/auth';
import { TokenVerifier } from './token-verifier';

const now = new Date('2030-01-01T00:00:00Z');

describe('mintToken', () => {
  it('mints an HS256 token the API accepts: sub, scope, servers, iat and exp', () => {
    const token = mintToken(
      { subject: 'alice', scopes: ['read', 'write'], days: 30, servers: '@rack1', now },
      JWT_SECRET,
    );
    expect(jwt.decode(token, { complete: true })?.header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(jwt.decode(token)).toEqual({
      sub: 'alice',
      scope: 'read write',
      servers: '@rack1',
      iat: now.getTime() / 1000,
      exp: now.getTime() / 1000 + 30 * 86_400,
    });
    const principal = new TokenVerifier(JWT_SECRET).verify(token, now);
    expect(principal).toMatchObject({
      subject: 'alice',
      servers: '@rack1',
      expiresAt: new Date('2030-01-31T00:00:00Z'),
    });
  });

  it('lasts 30 days unless told otherwise', () => {
    const claims = jwt.decode(
      mintToken({ subject: 'bob', scopes: ['read'], now }, JWT_SECRET),
    ) as jwt.JwtPayload;
    expect(claims.exp! - claims.iat!).toBe(30 * 86_400);
    expect(claims).not.toHaveProperty('servers');
  });

  it.each<[string, Partial<TokenRequest>, string]>([
    ['no subject', { subject: '' }, 'token has no subject (sub)'],
    ['a subject with a newline', { subject: 'a\nb' }, 'only letters, digits'],
    ['the reserved subject anonymous', { subject: 'anonymous' }, 'is reserved'],
    ['no scope', { scopes: [] }, 'a token needs at least one scope'],
    ['an unknown scope', { scopes: ['root' as never] }, 'unknown scope "root"'],
    ['zero days', { days: 0 }, 'days must be a number above 0 and at most 3650, got 0'],
    ['ten thousand days', { days: 10_000 }, 'at most 3650'],
    ['an empty servers expression', { servers: ' ' }, 'the servers expression is empty'],
  ])('refuses %s', (_name, change, message) => {
    expect(() => mintToken({ subject: 'alice', scopes: ['read'], ...change }, JWT_SECRET)).toThrow(
      message,
    );
  });

  it('mints at the maximum lifetime a token the verifier still accepts', () => {
    const token = mintToken({ subject: 'alice', scopes: ['read'], days: 3650, now }, JWT_SECRET);
    expect(new TokenVerifier(JWT_SECRET).verify(token, now).subject).toBe('alice');
  });

  it('refuses a weak secret without showing it', () => {
    expect(() => mintToken({ subject: 'alice', scopes: ['read'] }, 'hunter2')).toThrow(
      /is 7 bytes/,
    );
    expect(() => mintToken({ subject: 'alice', scopes: ['read'] }, 'hunter2')).not.toThrow(
      /hunter2/,
    );
  });
});

import jwt from 'jsonwebtoken';
import { JWT_SECRET, signToken } from '../testing/harness';
import { TokenRefused, TokenVerifier } from './token-verifier';

const verifier = new TokenVerifier(JWT_SECRET);
const now = Math.floor(Date.now() / 1000);
const SUBJECT_SYNTAX =
  'token subject (sub) must start with a letter or digit and hold only letters, digits' +
  ' and . _ @ + : -';
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

function reasonFor(token: string): string {
  try {
    verifier.verify(token);
  } catch (err) {
    if (err instanceof TokenRefused) return err.reason;
    throw err;
  }
  throw new Error('the token was accepted');
}

describe('TokenVerifier', () => {
  it.each<[string, string, string]>([
    ['not a JWT at all', 'hello', 'malformed token'],
    ['three parts of garbage', 'abc.def.ghi', 'malformed token'],
    [
      'a token signed with another secret',
      signToken({}, 'another-secret-of-thirty-two-bytes-or-more'),
      'bad token signature',
    ],
    [
      'a token whose payload was edited',
      (() => {
        const [h, , sig] = signToken().split('.');
        return `${h}.${b64({ sub: 'root', scope: 'admin', exp: now + 60 })}.${sig}`;
      })(),
      'bad token signature',
    ],
    [
      'an expired token',
      signToken({ exp: now - 10 }),
      `token expired at ${new Date((now - 10) * 1000).toISOString()}`,
    ],
    [
      'a token not valid yet (nbf)',
      signToken({ nbf: now + 600 }),
      `token not valid before ${new Date((now + 600) * 1000).toISOString()}`,
    ],
    [
      'alg none',
      `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'root', scope: 'admin', exp: now + 60 })}.`,
      'token algorithm "none" is not accepted; only HS256',
    ],
    [
      'alg None, spelt otherwise',
      `${b64({ alg: 'None' })}.${b64({ sub: 'root', exp: now + 60 })}.`,
      'token algorithm "None" is not accepted; only HS256',
    ],
    [
      'HS512 with the right secret',
      signToken({}, JWT_SECRET, 'HS512'),
      'token algorithm "HS512" is not accepted; only HS256',
    ],
    [
      'no algorithm',
      `${b64({ typ: 'JWT' })}.${b64({ sub: 'a', exp: now + 60 })}.x`,
      'token algorithm missing is not accepted; only HS256',
    ],
    ['no exp', signToken({ exp: undefined }), 'token has no expiry (exp); tokens must expire'],
    [
      'an exp a century ahead (only minting capped the lifetime)',
      signToken({ exp: now + 100 * 365 * 86_400 }),
      'token lifetime (exp - iat) is over the maximum of 3650 days',
    ],
    [
      'an exp one second past the maximum lifetime',
      signToken({ iat: now - 60, exp: now - 60 + 3650 * 86_400 + 1 }),
      'token lifetime (exp - iat) is over the maximum of 3650 days',
    ],
    ['no iat', signToken({ iat: undefined }), 'token has no issue time (iat)'],
    ['an iat that is not a number', signToken({ iat: 'now' }), 'token iat claim is not a number'],
    [
      'an iat in the future',
      signToken({ iat: now + 3600, exp: now + 7200 }),
      `token issued in the future (iat ${new Date((now + 3600) * 1000).toISOString()})`,
    ],
    [
      'an exp before its iat',
      signToken({ iat: now + 50, exp: now + 30 }),
      'token expires before it was issued (exp <= iat)',
    ],
    [
      'a crit header, even one naming a known parameter',
      signToken({}, JWT_SECRET, 'HS256', { crit: ['exp'] }),
      'token header has critical extensions (crit); none is accepted',
    ],
    [
      'an unknown crit extension',
      signToken({}, JWT_SECRET, 'HS256', { crit: ['b64'], b64: false }),
      'token header has critical extensions (crit); none is accepted',
    ],
    [
      'an exp that is not a number',
      signToken({ exp: 'tomorrow' }),
      'token exp claim is not a number',
    ],
    ['no sub', signToken({ sub: undefined }), 'token has no subject (sub)'],
    ['an empty sub', signToken({ sub: '' }), 'token has no subject (sub)'],
    ['a numeric sub', signToken({ sub: 42 }), 'token subject (sub) is not a string'],
    ['a sub with a newline', signToken({ sub: 'alice\nwho: admin' }), SUBJECT_SYNTAX],
    ['a sub with a C1 control', signToken({ sub: 'alice\u009b31m' }), SUBJECT_SYNTAX],
    ['a sub with a line separator', signToken({ sub: 'alice\u2028root' }), SUBJECT_SYNTAX],
    ['a sub with a bidi override', signToken({ sub: 'alice\u202enimda' }), SUBJECT_SYNTAX],
    ['a sub with a space', signToken({ sub: 'alice admin' }), SUBJECT_SYNTAX],
    ['a sub starting with a dash', signToken({ sub: '-alice' }), SUBJECT_SYNTAX],
    [
      'the sub "anonymous"',
      signToken({ sub: 'anonymous' }),
      'token subject (sub) "anonymous" is reserved',
    ],
    [
      'the sub "Anonymous"',
      signToken({ sub: 'Anonymous' }),
      'token subject (sub) "Anonymous" is reserved',
    ],
    [
      'a 201-character sub',
      signToken({ sub: 'a'.repeat(201) }),
      'token subject (sub) is longer than 200 characters',
    ],
    [
      'a scope claim that is a number',
      signToken({ scope: 7 }),
      'token scope claim must be a space-separated string or an array of strings',
    ],
    [
      'a servers claim that is a list',
      signToken({ servers: ['node01'] }),
      'token servers claim must be a range/group expression of 1 to 4096 characters',
    ],
    [
      'an empty servers claim',
      signToken({ servers: ' ' }),
      'token servers claim must be a range/group expression of 1 to 4096 characters',
    ],
    [
      'a string payload',
      jwt.sign('just text', JWT_SECRET, { algorithm: 'HS256' }),
      'token payload is not a JSON object',
    ],
  ])('refuses %s', (_name, token, reason) => {
    expect(reasonFor(token)).toBe(reason);
  });

  it.each<[string, unknown, string[]]>([
    ['a space-separated string', 'read write', ['read', 'write']],
    ['an array', ['admin'], ['admin']],
    ['unknown names, ignored', 'read openid profile', ['read']],
    ['no scope claim: no scopes', undefined, []],
  ])('takes scopes from %s', (_name, scope, scopes) => {
    const principal = verifier.verify(signToken({ sub: 'alice', scope }));
    expect([...principal.scopes].sort()).toEqual(scopes.sort());
  });

  it.each(['alice', 'bob@example.org', 'ci:deploy', 'rack2-operator', 'svc.backup+1', '42'])(
    'accepts the subject %s',
    (sub) => {
      expect(verifier.verify(signToken({ sub })).subject).toBe(sub);
    },
  );

  it.each<[string, Record<string, number>]>([
    ['the maximum lifetime exactly', { iat: now - 60, exp: now - 60 + 3650 * 86_400 }],
    ['an iat up to a minute ahead (clock skew)', { iat: now + 59, exp: now + 3600 }],
  ])('accepts %s', (_name, times) => {
    expect(verifier.verify(signToken(times)).subject).toBe('tester');
  });

  it('answers the subject, the servers claim and the expiry', () => {
    const principal = verifier.verify(
      signToken({ sub: 'alice', scope: 'write', servers: '@rack2', exp: now + 60 }),
    );
    expect(principal).toEqual({
      subject: 'alice',
      scopes: new Set(['write']),
      servers: '@rack2',
      expiresAt: new Date((now + 60) * 1000),
    });
  });

  it('judges expiry against the time it is given', () => {
    const token = signToken({ exp: now + 60 });
    expect(() => verifier.verify(token, new Date((now + 61) * 1000))).toThrow(TokenRefused);
    expect(verifier.verify(token, new Date((now + 59) * 1000)).subject).toBe('tester');
  });

  it('refuses a secret shorter than 32 bytes', () => {
    expect(() => new TokenVerifier('x'.repeat(31), 'the test')).toThrow(
      'the JWT secret from the test is 31 bytes; HS256 needs at least 32',
    );
  });

  it('never shows its secret when printed', () => {
    const { inspect } = jest.requireActual<typeof import('node:util')>('node:util');
    expect(inspect(verifier, { showHidden: true, depth: 5 })).not.toContain(JWT_SECRET);
    expect(JSON.stringify(verifier)).not.toContain(JWT_SECRET);
  });
});

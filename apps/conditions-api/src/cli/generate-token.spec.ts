import jwt from 'jsonwebtoken';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenVerifier } from '../auth/token-verifier';
import { JWT_SECRET } from '../testing/harness';
import { generateToken } from './generate-token';

function run(args: string[], env: NodeJS.ProcessEnv = { JWT_SECRET }) {
  let stdout = '';
  let stderr = '';
  const code = generateToken(args, env, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

describe('conditions-api generate-token', () => {
  it('prints only the token, which the API accepts with the subject and scopes asked for', () => {
    const { code, stdout, stderr } = run([
      '--subject',
      'alice',
      '--scope',
      'write',
      '--days',
      '30',
    ]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const principal = new TokenVerifier(JWT_SECRET).verify(stdout.trim());
    expect(principal.subject).toBe('alice');
    expect([...principal.scopes]).toEqual(['write']);
    const claims = jwt.decode(stdout.trim()) as jwt.JwtPayload;
    expect(claims.exp! - claims.iat!).toBe(30 * 86_400);
  });

  it(
    'takes repeated and comma-separated scopes, a servers claim, and the secret from ' +
      'JWT_SECRET_FILE',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'sb-gen-'));
      try {
        writeFileSync(join(dir, 'secret'), `${JWT_SECRET}\n`, { mode: 0o600 });
        const { code, stdout } = run(
          [
            '--subject',
            'ops',
            '--scope',
            'read,write',
            '--scope',
            'admin',
            '--servers',
            '@rack2,node[01-04]',
          ],
          { JWT_SECRET_FILE: join(dir, 'secret') },
        );
        expect(code).toBe(0);
        const principal = new TokenVerifier(JWT_SECRET).verify(stdout.trim());
        expect([...principal.scopes].sort()).toEqual(['admin', 'read', 'write']);
        expect(principal.servers).toBe('@rack2,node[01-04]');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('defaults to 30 days', () => {
    const claims = jwt.decode(
      run(['--subject', 'bob', '--scope', 'read']).stdout.trim(),
    ) as jwt.JwtPayload;
    expect(claims.exp! - claims.iat!).toBe(30 * 86_400);
  });

  it.each<[string, string[], NodeJS.ProcessEnv, RegExp]>([
    [
      'no subject',
      ['--scope', 'read'],
      { JWT_SECRET },
      /required option '--subject <name>' not specified/,
    ],
    [
      'no scope',
      ['--subject', 'a'],
      { JWT_SECRET },
      /generate-token: no scope given; scopes are read, write, admin/,
    ],
    [
      'an unknown scope',
      ['--subject', 'a', '--scope', 'read,root'],
      { JWT_SECRET },
      /generate-token: unknown scope "root"/,
    ],
    [
      'days that are not a number',
      ['--subject', 'a', '--scope', 'read', '--days', 'soon'],
      { JWT_SECRET },
      /generate-token: --days must be a number, got "soon"/,
    ],
    [
      'negative days',
      ['--subject', 'a', '--scope', 'read', '--days', '-1'],
      { JWT_SECRET },
      /days must be a number above 0/,
    ],
    [
      'a malformed servers expression',
      ['--subject', 'a', '--scope', 'read', '--servers', 'node[01-'],
      { JWT_SECRET },
      /generate-token: invalid --servers "node\[01-"/,
    ],
    [
      'an unknown option',
      ['--subject', 'a', '--scope', 'read', '--forever'],
      { JWT_SECRET },
      /unknown option '--forever'/,
    ],
    [
      'a stray argument',
      ['--subject', 'a', '--scope', 'read', 'extra'],
      { JWT_SECRET },
      /too many arguments/,
    ],
    [
      'no secret',
      ['--subject', 'a', '--scope', 'read'],
      {},
      /generate-token: no JWT secret: set JWT_SECRET_FILE/,
    ],
    [
      'a weak secret',
      ['--subject', 'a', '--scope', 'read'],
      { JWT_SECRET: 'hunter2' },
      /generate-token: the JWT secret from JWT_SECRET is 7 bytes/,
    ],
  ])(
    'refuses %s on stderr with exit status 2 and nothing on stdout',
    (_name, args, env, message) => {
      const { code, stdout, stderr } = run(args, env);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(message);
      expect(stderr).not.toContain('hunter2');
      expect(stderr).not.toContain(JWT_SECRET);
    },
  );

  it('prints its help with exit status 0', () => {
    const { code, stdout } = run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('--subject <name>');
    expect(stdout.replace(/\s+/g, ' ')).toContain('rotating the secret revokes them all');
  });
});

import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJwtSecret } from './jwt-secret';
import { ensureSecretFile } from './secret-file';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sb-secret-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('ensureSecretFile', () => {
  it('creates a random secret of at least 32 bytes, mode 0600, in a directory it creates', () => {
    const path = join(dir, 'data', 'jwt-secret');
    const secret = ensureSecretFile(path);
    expect(Buffer.from(secret, 'base64url').length).toBeGreaterThanOrEqual(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'data')).mode & 0o077).toBe(0);
    expect(ensureSecretFile(join(dir, 'other'))).not.toBe(secret);
  });

  it('reuses the file it finds, so tokens minted before a restart stay valid', () => {
    const path = join(dir, 'jwt-secret');
    const first = ensureSecretFile(path);
    expect(ensureSecretFile(path)).toBe(first);
    expect(readJwtSecret({ JWT_SECRET_FILE: path })).toBe(first);
  });

  it.each<[string, string, number, RegExp]>([
    [
      'readable by others',
      'x'.repeat(40),
      0o644,
      /is readable by others \(mode 0644\); run: chmod 600 /,
    ],
    ['too short', 'short', 0o600, /is 5 bytes; HS256 needs at least 32/],
    ['empty', '\n', 0o600, /is empty/],
  ])(
    'refuses an existing file that is %s, without showing its content',
    (_name, content, mode, message) => {
      const path = join(dir, 'jwt-secret');
      writeFileSync(path, content);
      chmodSync(path, mode);
      expect(() => ensureSecretFile(path)).toThrow(message);
      try {
        ensureSecretFile(path);
      } catch (err) {
        if (content.trim() !== '') expect((err as Error).message).not.toContain(content.trim());
      }
    },
  );
});

describe('readJwtSecret', () => {
  const long = 'an-inline-secret-that-is-long-enough-0123';

  it('takes JWT_SECRET, or the content of JWT_SECRET_FILE without its line end', () => {
    expect(readJwtSecret({ JWT_SECRET: long })).toBe(long);
    const path = join(dir, 'secret');
    writeFileSync(path, `${long}\n`, { mode: 0o600 });
    expect(readJwtSecret({ JWT_SECRET_FILE: path })).toBe(long);
  });

  it.each<[string, NodeJS.ProcessEnv, RegExp]>([
    [
      'neither',
      {},
      /^no JWT secret: set JWT_SECRET_FILE \(a file holding the secret\) or JWT_SECRET/,
    ],
    [
      'both',
      { JWT_SECRET: long, JWT_SECRET_FILE: '/x' },
      /both JWT_SECRET and JWT_SECRET_FILE are set; set only one/,
    ],
    [
      'a missing file',
      { JWT_SECRET_FILE: '/nonexistent/jwt-secret' },
      /cannot read the JWT secret file \/nonexistent\/jwt-secret: ENOENT/,
    ],
    ['a short JWT_SECRET', { JWT_SECRET: 'hunter2' }, /the JWT secret from JWT_SECRET is 7 bytes/],
  ])('refuses %s', (_name, env, message) => {
    expect(() => readJwtSecret(env)).toThrow(message);
  });
});

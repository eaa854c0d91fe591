import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureKeyFile } from './key-file';
import { keyId, readSigningKeys } from './keys';

// The key comes from a file only, is long enough and readable by its owner (and group) only; a
// process refuses to start otherwise, naming the variable and the file but never the content.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sb-signing-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const KEY = 'k'.repeat(31) + 'Z';

function keyFile(name: string, content: string, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

describe('readSigningKeys', () => {
  it('reads the key without its line end; its id is derived from it', () => {
    const keys = readSigningKeys({ CONDITION_SIGNING_KEY_FILE: keyFile('key', `${KEY}\r\n`) });
    expect(keys.current.kid).toBe(keyId(Buffer.from(KEY)));
    expect(keys.current.kid).toMatch(/^[0-9a-f]{16}$/);
    expect(keys.current.key.export().toString()).toBe(KEY);
    expect(keys.previous).toBeUndefined();
  });

  it('takes a previous key during a rotation, and ignores one equal to the current', () => {
    const current = keyFile('key', KEY);
    const previous = keyFile('old', 'o'.repeat(40));
    const keys = readSigningKeys({
      CONDITION_SIGNING_KEY_FILE: current,
      CONDITION_SIGNING_PREVIOUS_KEY_FILE: previous,
    });
    expect(keys.previous?.kid).toBe(keyId(Buffer.from('o'.repeat(40))));
    const same = readSigningKeys({
      CONDITION_SIGNING_KEY_FILE: current,
      CONDITION_SIGNING_PREVIOUS_KEY_FILE: keyFile('copy', KEY),
    });
    expect(same.previous).toBeUndefined();
  });

  it('accepts a file its group may read (a Kubernetes Secret mounted with fsGroup, 0440)', () => {
    const keys = readSigningKeys({ CONDITION_SIGNING_KEY_FILE: keyFile('key', KEY, 0o440) });
    expect(keys.current.kid).toBe(keyId(Buffer.from(KEY)));
  });

  it.each<[string, () => NodeJS.ProcessEnv, RegExp]>([
    ['no variable', () => ({}), /^CONDITION_SIGNING_KEY_FILE is required: a file \(mode 0600\)/],
    [
      'a missing file',
      () => ({ CONDITION_SIGNING_KEY_FILE: join(dir, 'nope') }),
      /cannot read the condition signing key: CONDITION_SIGNING_KEY_FILE .*nope: ENOENT/,
    ],
    [
      'a short key',
      () => ({ CONDITION_SIGNING_KEY_FILE: keyFile('key', `${KEY.slice(1)}\n`) }),
      /is 31 bytes; it needs at least 32 random bytes \(make one: openssl rand -base64 48 >/,
    ],
    [
      'a file others can read',
      () => ({ CONDITION_SIGNING_KEY_FILE: keyFile('key', KEY, 0o644) }),
      /CONDITION_SIGNING_KEY_FILE .* is open to others \(mode 0644\).*; run: chmod 600 /,
    ],
    [
      'a file its group can write',
      () => ({ CONDITION_SIGNING_KEY_FILE: keyFile('key', KEY, 0o660) }),
      /is open to others \(mode 0660\)/,
    ],
    [
      'a previous key that is too open',
      () => ({
        CONDITION_SIGNING_KEY_FILE: keyFile('key', KEY),
        CONDITION_SIGNING_PREVIOUS_KEY_FILE: keyFile('old', KEY, 0o604),
      }),
      /CONDITION_SIGNING_PREVIOUS_KEY_FILE .*old is open to others \(mode 0604\)/,
    ],
  ])('refuses %s, naming it and not the key', (_name, env, message) => {
    let error: Error | undefined;
    try {
      readSigningKeys(env());
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain(KEY.slice(0, 20));
  });
});

describe('ensureKeyFile', () => {
  it('creates 48 random bytes, base64url, mode 0600, in a 0700 directory, and reuses them', () => {
    const path = join(dir, 'data', 'condition-signing-key');
    const key = ensureKeyFile(path);
    expect(Buffer.from(key.toString(), 'base64url')).toHaveLength(48);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'data')).mode & 0o777).toBe(0o700);
    expect(ensureKeyFile(path).equals(key)).toBe(true);
    expect(ensureKeyFile(join(dir, 'other')).equals(key)).toBe(false);
  });

  it('refuses an existing file that others can read rather than using it', () => {
    const path = keyFile('key', KEY, 0o644);
    expect(() => ensureKeyFile(path)).toThrow(/is open to others \(mode 0644\)/);
  });
});

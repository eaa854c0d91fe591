import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { checkSecret } from './secret-strength';

/** Random bytes behind a generated secret (encoded as base64url: 64 characters). */
export const GENERATED_SECRET_BYTES = 48;

const isPosix = process.platform !== 'win32';

/** A secret file's content, without the line end an editor or `echo` leaves. */
export function readSecretFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(
      `cannot read the JWT secret file ${path}: ` +
        `${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      { cause: err },
    );
  }
  const secret = text.replace(/\r?\n$/, '');
  if (secret === '') throw new Error(`the JWT secret file ${path} is empty`);
  return secret;
}

/**
 * The secret in `path`, created first when there is none: 48 random bytes, base64url,
 * mode 0600, the directory created 0700. An existing file is reused as it is, so tokens
 * minted earlier stay valid across restarts; one that others can read is refused, as ssh
 * refuses a readable private key, since anyone who can read it can mint admin tokens.
 * The file is created with O_EXCL, so two processes starting together agree on one secret.
 */
export function ensureSecretFile(path: string): string {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, `${randomBytes(GENERATED_SECRET_BYTES).toString('base64url')}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new Error(`cannot create the JWT secret file ${path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  if (isPosix) {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new Error(
        `the JWT secret file ${path} is readable by others (mode ` +
          `${mode.toString(8).padStart(4, '0')}); run: chmod 600 ${path}`,
      );
    }
  }
  return checkSecret(readSecretFile(path), path);
}

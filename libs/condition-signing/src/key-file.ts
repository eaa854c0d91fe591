import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Shortest key taken: HMAC-SHA256's output length (RFC 2104 section 3 advises no shorter key).
 * Counted in bytes of the file's content, so write random bytes in an encoding (base64).
 */
export const MIN_KEY_BYTES = 32;

/** Random bytes behind a generated key (written base64url: 64 characters). */
export const GENERATED_KEY_BYTES = 48;

const isPosix = process.platform !== 'win32';

function withoutLineEnd(text: Buffer): Buffer {
  let end = text.length;
  if (text[end - 1] === 0x0a) end--;
  if (end < text.length && text[end - 1] === 0x0d) end--;
  return text.subarray(0, end);
}

/**
 * The key in `path` (its content without the line end an editor or `echo` leaves), or an error
 * naming `origin` (the variable) and the file, never the content. Refused: a file others may
 * read or anyone but its owner may write; group read is allowed, since Kubernetes mounts a
 * Secret owned by root with the pod's fsGroup (mode 0440).
 */
export function readKeyFile(origin: string, path: string): Buffer {
  let text: Buffer;
  try {
    text = readFileSync(path);
  } catch (err) {
    throw new Error(
      `cannot read the condition signing key: ${origin} ${path}: ` +
        `${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      { cause: err },
    );
  }
  if (isPosix) {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o027) !== 0)
      throw new Error(
        `the condition signing key ${origin} ${path} is open to others (mode ` +
          `${mode.toString(8).padStart(4, '0')}): whoever reads it can make the controllers ` +
          `run anything; run: chmod 600 ${path}`,
      );
  }
  const key = withoutLineEnd(text);
  if (key.length < MIN_KEY_BYTES)
    throw new Error(
      `the condition signing key ${origin} ${path} is ${key.length} bytes; it needs at least ` +
        `${MIN_KEY_BYTES} random bytes (make one: openssl rand -base64 48 > ${path})`,
    );
  return key;
}

/**
 * The key in `path`, created first when there is none: 48 random bytes, base64url, mode 0600,
 * its directory created 0700. An existing file is reused (conditions signed before a restart
 * stay valid) and checked as `readKeyFile` checks it. Created with O_EXCL, so processes
 * starting together agree on one key.
 */
export function ensureKeyFile(path: string, origin = 'CONDITION_SIGNING_KEY_FILE'): Buffer {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, `${randomBytes(GENERATED_KEY_BYTES).toString('base64url')}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new Error(
        `cannot create the condition signing key ${path}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
  }
  return readKeyFile(origin, path);
}

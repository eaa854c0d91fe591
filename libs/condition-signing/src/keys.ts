import { createHash, createSecretKey, KeyObject, randomBytes } from 'node:crypto';
import { GENERATED_KEY_BYTES, readKeyFile } from './key-file';

export const KEY_FILE_VARIABLE = 'CONDITION_SIGNING_KEY_FILE';
export const PREVIOUS_KEY_FILE_VARIABLE = 'CONDITION_SIGNING_PREVIOUS_KEY_FILE';

/** One HMAC key and its id: what a signature's `kid` names. */
export interface SigningKey {
  /** 16 hex digits derived from the key, so no one has to name keys: safe to log. */
  readonly kid: string;
  readonly key: KeyObject;
}

/**
 * The keys a process holds: `current` signs new conditions; `previous`, during a rotation, is
 * accepted, and a record signed with it is signed with it again when it is updated (so a replica
 * that does not hold the new key yet can still read it).
 */
export interface SigningKeys {
  readonly current: SigningKey;
  readonly previous?: SigningKey;
}

/** The id of a key: the first 8 bytes of a SHA-256 over it (one-way; it gives nothing away). */
export function keyId(material: Buffer): string {
  return createHash('sha256')
    .update('switchboard condition signing key id\0')
    .update(material)
    .digest('hex')
    .slice(0, 16);
}

export function signingKey(material: Buffer): SigningKey {
  return { kid: keyId(material), key: createSecretKey(material) };
}

/** The key with this id, if this process holds it. */
export function keyById(keys: SigningKeys, kid: string): SigningKey | undefined {
  return [keys.current, keys.previous].find((k) => k?.kid === kid);
}

/** The ids held, for messages and logs: `<current>` or `<current> (and previous <id>)`. */
export function describeKeys(keys: SigningKeys): string {
  return keys.previous
    ? `${keys.current.kid} (and previous ${keys.previous.kid})`
    : keys.current.kid;
}

/**
 * The keys from the environment: `CONDITION_SIGNING_KEY_FILE` (required) and, during a rotation,
 * `CONDITION_SIGNING_PREVIOUS_KEY_FILE`. Files only: a key in a variable would be inherited by
 * every child and shown by anything that dumps the environment. Throws naming what is wrong.
 */
export function readSigningKeys(env: NodeJS.ProcessEnv): SigningKeys {
  const file = env[KEY_FILE_VARIABLE]?.trim();
  if (!file)
    throw new Error(
      `${KEY_FILE_VARIABLE} is required: a file (mode 0600) holding the key, at least 32 random ` +
        `bytes, that the API signs conditions with and the controllers check them by (make ` +
        `one: openssl rand -base64 48)`,
    );
  const current = signingKey(readKeyFile(KEY_FILE_VARIABLE, file));
  const previousFile = env[PREVIOUS_KEY_FILE_VARIABLE]?.trim();
  if (!previousFile) return { current };
  const previous = signingKey(readKeyFile(PREVIOUS_KEY_FILE_VARIABLE, previousFile));
  return previous.kid === current.kid ? { current } : { current, previous };
}

/** A fresh random key (tests, and processes that share keys in memory). */
export function randomSigningKeys(): SigningKeys {
  return {
    current: signingKey(Buffer.from(randomBytes(GENERATED_KEY_BYTES).toString('base64url'))),
  };
}

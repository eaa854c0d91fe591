/** RFC 7518 §3.2: an HS256 key MUST be at least as long as the hash output, 256 bits. */
export const MIN_SECRET_BYTES = 32;

/**
 * `secret`, or an error naming where it came from when it is too weak. The message never includes
 * the secret.
 */
export function checkSecret(secret: string, origin: string): string {
  const bytes = Buffer.byteLength(secret);
  if (bytes < MIN_SECRET_BYTES) {
    throw new Error(
      `the JWT secret from ${origin} is ${bytes} bytes; HS256 needs at least ` +
        `${MIN_SECRET_BYTES} (RFC 7518 section 3.2)`,
    );
  }
  return secret;
}

import { readSecretFile } from './secret-file';
import { checkSecret } from './secret-strength';

/**
 * The HS256 secret from the environment: `JWT_SECRET` itself, or the file named by
 * `JWT_SECRET_FILE` (preferred: the secret is not inherited by child processes nor shown by tools
 * that dump the environment). Both at once is refused rather than guessed at: one of them would be
 * silently ignored.
 */
export function readJwtSecret(env: NodeJS.ProcessEnv): string {
  const inline = env.JWT_SECRET;
  const file = env.JWT_SECRET_FILE;
  if (inline && file) throw new Error('both JWT_SECRET and JWT_SECRET_FILE are set; set only one');
  if (file) return checkSecret(readSecretFile(file), `JWT_SECRET_FILE ${file}`);
  if (inline) return checkSecret(inline, 'JWT_SECRET');
  throw new Error(
    'no JWT secret: set JWT_SECRET_FILE (a file holding the secret) or JWT_SECRET; the ' +
      'API does not run without authentication',
  );
}

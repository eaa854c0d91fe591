import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NatsClientAuth } from './client-auth';
import { readNatsAuth } from './client-auth';
import { NATS_ROLES, NatsRole } from './permissions';

/** The user that cluster members authenticate their routes with. */
export const ROUTE_USER = 'route';

/** Generated NATS credentials: one password file (0600) per role and one for the routes. */
export interface NatsCredentials {
  /** The directory (0700) holding the password files and the server configuration. */
  dir: string;
  /** The password file of a role's user, or of the routes. */
  passwordFile(who: NatsRole | typeof ROUTE_USER): string;
  password(who: NatsRole | typeof ROUTE_USER): string;
  /**
   * What one process of a role needs in its environment to connect: its user and its own
   * password file, never another role's and never the password itself.
   */
  clientEnv(role: NatsRole): { NATS_USER: string; NATS_PASSWORD_FILE: string };
  /** The same, as connection options (for a process's own connection). */
  clientAuth(role: NatsRole, env?: NodeJS.ProcessEnv): NatsClientAuth;
}

function ensurePassword(file: string): string {
  if (existsSync(file)) {
    // Whatever umask or copy made it, it stays readable by its owner only.
    chmodSync(file, 0o600);
    const kept = readFileSync(file, 'utf8').trim();
    if (kept) return kept;
  }
  // base64url: no character that needs quoting in a nats-server config or a route URL.
  const password = randomBytes(32).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return password;
}

/**
 * The credentials of a NATS server the stack or a test starts: generated at first start into
 * `dir` (mode 0700, files 0600) and reused on every later start, so processes restarted on
 * their own keep connecting. Passwords are 256 random bits; the server gets only their bcrypt
 * hashes (writeNatsServerConfig), except the route password, which a member must send.
 */
export function ensureNatsCredentials(dir: string): NatsCredentials {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const who = [...NATS_ROLES, ROUTE_USER] as const;
  const passwords = new Map(who.map((w) => [w, ensurePassword(join(dir, `${w}.password`))]));
  const passwordFile = (w: NatsRole | typeof ROUTE_USER) => join(dir, `${w}.password`);
  const clientEnv = (role: NatsRole) => ({
    NATS_USER: role,
    NATS_PASSWORD_FILE: passwordFile(role),
  });
  return {
    dir,
    passwordFile,
    password: (w) => passwords.get(w)!,
    clientEnv,
    // Through readNatsAuth, so the stack's own connection is made exactly as its children's.
    clientAuth: (role, env = {}) => readNatsAuth({ ...env, ...clientEnv(role) }),
  };
}

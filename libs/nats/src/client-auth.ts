import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from '@nats-io/nats-core';
import { inboxPrefix } from './permissions';

/** What a client proves itself with to NATS, and how it checks the server: from the environment. */
export type NatsClientAuth = Pick<ConnectionOptions, 'user' | 'pass' | 'tls' | 'inboxPrefix'>;

const SUBJECT_TOKEN = /^[A-Za-z0-9_-]+$/;

function readFile(variable: string, file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new Error(
      `${variable} ${file}: cannot read it: ` +
        `${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

/**
 * NATS credentials and TLS settings from the environment, never from a command line (where
 * `ps` shows them to every user of the host):
 * - `NATS_USER` with `NATS_PASSWORD_FILE` (a file holding the password; preferred: not
 *   inherited by children) or `NATS_PASSWORD`; both password forms at once are refused;
 * - `NATS_CA_FILE` to check the server's certificate, `NATS_CERT_FILE` and `NATS_KEY_FILE`
 *   (both or neither) for a client certificate; any of them turns TLS on.
 * - a user's replies come to `_INBOX_<user>` (what the generated permissions allow it, so no
 *   user reads another's replies); `NATS_INBOX_PREFIX` sets another prefix (`_INBOX` for a
 *   server whose permissions allow every user `_INBOX.>`).
 * Nothing set: no credentials and no TLS, as before.
 */
export function readNatsAuth(env: NodeJS.ProcessEnv): NatsClientAuth {
  const auth: NatsClientAuth = {};
  const [user, inline, file] = [env.NATS_USER, env.NATS_PASSWORD, env.NATS_PASSWORD_FILE];
  if (inline && file)
    throw new Error('both NATS_PASSWORD and NATS_PASSWORD_FILE are set; set only one');
  const pass = file ? readFile('NATS_PASSWORD_FILE', file) : inline;
  if (pass !== undefined && pass !== '' && !user)
    throw new Error('a NATS password is set without NATS_USER');
  if (user && !pass)
    throw new Error('NATS_USER is set without NATS_PASSWORD_FILE or NATS_PASSWORD');
  if (user) Object.assign(auth, { user, pass });
  const prefix =
    env.NATS_INBOX_PREFIX || (user && SUBJECT_TOKEN.test(user) ? inboxPrefix(user) : '');
  if (prefix) {
    if (!SUBJECT_TOKEN.test(prefix))
      throw new Error(`NATS_INBOX_PREFIX "${prefix}": expected one subject token [A-Za-z0-9_-]`);
    auth.inboxPrefix = prefix;
  }
  const [ca, cert, key] = [env.NATS_CA_FILE, env.NATS_CERT_FILE, env.NATS_KEY_FILE];
  if (Boolean(cert) !== Boolean(key))
    throw new Error(
      `a NATS client certificate needs both NATS_CERT_FILE and NATS_KEY_FILE; only ` +
        `${cert ? 'NATS_CERT_FILE' : 'NATS_KEY_FILE'} is set`,
    );
  if (ca || cert) {
    auth.tls = {
      ...(ca ? { ca: readFile('NATS_CA_FILE', ca) } : {}),
      ...(cert && key
        ? { cert: readFile('NATS_CERT_FILE', cert), key: readFile('NATS_KEY_FILE', key) }
        : {}),
    };
  }
  return auth;
}

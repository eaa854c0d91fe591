import type { NatsServerTls } from '@switchboard/nats';

/** The client settings the stack replaces with a role's own when it starts NATS itself. */
const CLIENT_CREDENTIALS = [
  'NATS_USER',
  'NATS_PASSWORD',
  'NATS_PASSWORD_FILE',
  'NATS_INBOX_PREFIX',
];
/** The embedded server's own settings: no child needs them. */
const SERVER_SETTINGS = ['NATS_TLS_CERT_FILE', 'NATS_TLS_KEY_FILE'];

/** `env` without NATS credentials or the embedded server's settings. */
export function withoutNatsCredentials(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const name of [...CLIENT_CREDENTIALS, ...SERVER_SETTINGS]) delete out[name];
  return out;
}

/**
 * TLS for the embedded nats-server (or cluster) from `NATS_TLS_CERT_FILE` and
 * `NATS_TLS_KEY_FILE` (both or neither). Clients then check the certificate with
 * `NATS_CA_FILE` unless a system CA signed it.
 */
export function embeddedNatsTls(env: NodeJS.ProcessEnv): NatsServerTls | undefined {
  const { NATS_TLS_CERT_FILE: certFile, NATS_TLS_KEY_FILE: keyFile } = env;
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile)
    throw new Error(
      `TLS for the embedded nats-server needs both NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE; ` +
        `only ${certFile ? 'NATS_TLS_CERT_FILE' : 'NATS_TLS_KEY_FILE'} is set`,
    );
  return { certFile, keyFile };
}

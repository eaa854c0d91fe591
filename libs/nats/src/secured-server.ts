import { dirname, join } from 'node:path';
import { NatsCredentials, ensureNatsCredentials } from './credentials';
import { EmbeddedNats, EmbeddedNatsOptions, startEmbeddedNats } from './embedded-server';
import { NatsServerTls, writeNatsServerConfig } from './server-config';

export interface SecuredNats extends EmbeddedNats {
  credentials: NatsCredentials;
}

/**
 * An embedded nats-server that requires the generated credentials (a user per role, least
 * privilege), as the stack starts it: for tests that run the API and controllers against
 * the permissions they have in the sandbox. `server.options` restarts it with the same ones.
 */
export async function startSecuredNats(
  opts: EmbeddedNatsOptions & { credentialsDir?: string; tls?: NatsServerTls },
): Promise<SecuredNats> {
  const { credentialsDir, tls, ...rest } = opts;
  const credentials = ensureNatsCredentials(
    credentialsDir ?? join(dirname(opts.dataDir), 'nats-credentials'),
  );
  const server = await startEmbeddedNats({
    ...rest,
    configFile: writeNatsServerConfig(credentials, { tls }),
  });
  return Object.assign(server, { credentials });
}

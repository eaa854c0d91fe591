import { chmodSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureNatsCredentials, natsRoutesConfig, natsUsersConfig } from '@switchboard/nats';

export interface WrittenCredentials {
  dir: string;
  files: string[];
}

/** Writes a file readable by its owner only, whole or not at all. */
function writePrivate(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text, { mode: 0o600 });
  chmodSync(`${file}.tmp`, 0o600);
  renameSync(`${file}.tmp`, file);
}

/**
 * NATS credentials for a deployment (compose's init container, kind's up.sh, hosts of
 * docs/cluster.md): the role passwords and the route password (generated once, kept after),
 * `users.conf` (the users' bcrypt hashes and permissions, for nats-server's top level) and,
 * with routes, `routes.conf` (for inside its `cluster {}` block).
 */
export function writeNatsCredentials(dir: string, routes: string[]): WrittenCredentials {
  const credentials = ensureNatsCredentials(dir);
  writePrivate(join(dir, 'users.conf'), natsUsersConfig(credentials));
  const files = ['api.password', 'controller.password', 'route.password', 'users.conf'];
  if (routes.length > 0) {
    for (const route of routes)
      if (!/^nats(-route)?:\/\/[^/@\s]+:\d+$/.test(route))
        throw new Error(`--route "${route}": expected nats://HOST:PORT, without credentials`);
    writePrivate(join(dir, 'routes.conf'), natsRoutesConfig(credentials, routes));
    files.push('routes.conf');
  }
  return { dir, files };
}

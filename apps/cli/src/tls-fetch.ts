import { readFileSync } from 'node:fs';
import { ConfigError } from './errors';

/**
 * A fetch that trusts the certificate authority in `caFile` (PEM) on top of the system's,
 * for an API serving a self-signed or site-CA certificate: safer than verify_ssl: false,
 * which trusts anyone. Node's global fetch has no per-request CA option, hence undici's Agent.
 */
export function fetchTrusting(caFile: string, source: string): typeof fetch {
  let ca: string;
  try {
    ca = readFileSync(caFile, 'utf8');
  } catch (err) {
    throw new ConfigError(
      source,
      undefined,
      `cannot read the CA file ${caFile}: ` +
        `${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  if (!ca.includes('-----BEGIN CERTIFICATE-----'))
    throw new ConfigError(source, undefined, `the CA file ${caFile} holds no PEM certificate`);
  // Required here, not imported at the top: undici takes ~55 ms to load, paid by every
  // mctl run (even --help) though only a configured CA file needs it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Agent, fetch: undiciFetch } = require('undici') as typeof import('undici');
  const dispatcher = new Agent({ connect: { ca: [ca] } });
  return ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undiciFetch(
      input as never,
      { ...(init as object), dispatcher } as never,
    )) as unknown as typeof fetch;
}

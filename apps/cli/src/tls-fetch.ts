import { readFileSync } from 'node:fs';
import { ConfigError } from './errors';
import { httpFetch } from './http-fetch';

/**
 * A fetch that trusts the certificate authority in `caFile` (PEM), for an API serving a
 * self-signed or site-CA certificate: safer than verify_ssl: false, which trusts anyone.
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
  return httpFetch({ ca: [ca] });
}

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The sandbox's simulated BMCs get a random password, generated once into the data
 * directory (mode 0600) and handed to the stack's processes through the environment,
 * so no password sits in the example inventory or on a command line.
 */
export function sandboxBmcPassword(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  // ipmi_sim takes at most 20 characters, without spaces or quotes.
  const password = randomBytes(12).toString('base64url').slice(0, 16);
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

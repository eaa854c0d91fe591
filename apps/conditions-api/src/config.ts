import { readFileSync } from 'node:fs';
import { readJwtSecret } from '@switchboard/auth';
import { readSigningKeys, SigningKeys } from '@switchboard/condition-signing';
import { NatsClientAuth, parseServerList, readNatsAuth, replicasFromEnv } from '@switchboard/nats';
import type { TlsOptions } from './core/api-options';
import { DEFAULT_RATE_LIMIT_PER_MINUTE } from './rate-limit/rate-limit.options';

/** What `main` needs to start the API. Holds the JWT secret and signing keys: never log them. */
export interface ApiConfig {
  natsUrl: string;
  natsAuth: NatsClientAuth;
  inventoryFile: string;
  port: number;
  host: string;
  jwtSecret: string;
  /** CONDITION_SIGNING_KEY_FILE (and _PREVIOUS_): what the API signs conditions with. */
  signing: SigningKeys;
  tls?: TlsOptions;
  rateLimitPerMinute: number;
  /** COMMANDS_DIR: the commands directory the controller runs actions from. */
  commandsDir?: string;
  /** FAULT_INJECTION: accept rivets' `fault` on new conditions (admin tokens only). */
  faultInjection: boolean;
}

function readPem(variable: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(
      `cannot read ${variable} ${file}: ` +
        `${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      { cause: err },
    );
  }
}

/**
 * TLS_CERT_FILE and TLS_KEY_FILE: both (HTTPS) or neither (HTTP). One alone is a mistake, not a
 * choice.
 */
export function readTls(env: NodeJS.ProcessEnv): TlsOptions | undefined {
  const { TLS_CERT_FILE: cert, TLS_KEY_FILE: key } = env;
  if (!cert && !key) return undefined;
  if (!cert || !key)
    throw new Error(
      `TLS needs both TLS_CERT_FILE and TLS_KEY_FILE; only ` +
        `${cert ? 'TLS_CERT_FILE' : 'TLS_KEY_FILE'} is set`,
    );
  return { cert: readPem('TLS_CERT_FILE', cert), key: readPem('TLS_KEY_FILE', key) };
}

function readRateLimit(env: NodeJS.ProcessEnv): number {
  const raw = env.RATE_LIMIT_PER_MINUTE;
  if (raw === undefined || raw === '') return DEFAULT_RATE_LIMIT_PER_MINUTE;
  const limit = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || limit < 1)
    throw new Error(`RATE_LIMIT_PER_MINUTE must be a whole number above 0, got "${raw}"`);
  return limit;
}

/** An on/off setting: true/1/on or false/0/off (unset: off). */
export function readFlag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (['', 'false', '0', 'off', 'no'].includes(raw)) return false;
  if (['true', '1', 'on', 'yes'].includes(raw)) return true;
  throw new Error(`${name} must be true or false, got "${env[name]}"`);
}

/**
 * Reads the process environment: NATS_URL (one server or a comma-separated list), INVENTORY_FILE,
 * a JWT secret (JWT_SECRET_FILE or JWT_SECRET) and CONDITION_SIGNING_KEY_FILE are required;
 * PORT, HOST, TLS_CERT_FILE/TLS_KEY_FILE, RATE_LIMIT_PER_MINUTE, COMMANDS_DIR, NATS_REPLICAS,
 * CONDITION_SIGNING_PREVIOUS_KEY_FILE and FAULT_INJECTION are optional.
 * Throws naming the variable at fault.
 */
export function readConfig(env: NodeJS.ProcessEnv): ApiConfig {
  const missing = ['NATS_URL', 'INVENTORY_FILE'].filter((name) => !env[name]);
  if (missing.length > 0)
    throw new Error(
      `missing environment variable${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
    );
  const port = Number(env.PORT ?? 9001);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  // Refused here, at start, rather than on the first connect attempt.
  parseServerList(env.NATS_URL!);
  replicasFromEnv(env);
  const tls = readTls(env);
  return {
    natsUrl: env.NATS_URL!,
    natsAuth: readNatsAuth(env),
    inventoryFile: env.INVENTORY_FILE!,
    port,
    host: env.HOST || '127.0.0.1',
    jwtSecret: readJwtSecret(env),
    signing: readSigningKeys(env),
    ...(tls ? { tls } : {}),
    rateLimitPerMinute: readRateLimit(env),
    ...(env.COMMANDS_DIR ? { commandsDir: env.COMMANDS_DIR } : {}),
    faultInjection: readFlag(env, 'FAULT_INJECTION'),
  };
}

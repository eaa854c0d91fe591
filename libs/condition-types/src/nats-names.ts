import type { ConditionKind } from './condition';

/**
 * Every NATS name Switchboard uses, in one place. Server names come from inventory
 * files and may hold characters that NATS gives meaning to ('.', '*', '>', spaces),
 * so they are encoded into one safe token before they go into a subject or a key.
 */
export const STREAM_CONDITIONS = 'SWITCHBOARD_CONDITIONS';
export const SUBJECT_PREFIX = 'switchboard.conditions';
export const SUBJECT_ALL_CONDITIONS = `${SUBJECT_PREFIX}.>`;
export const CONTROLLER_CONSUMER = 'switchboard-controller';

export const KV_CONDITIONS = 'switchboard-conditions';
export const KV_ACTIVE = 'switchboard-active';
export const KV_CONTROLLERS = 'switchboard-controllers';

/**
 * Creates by `Idempotency-Key`: one key per (token subject, key), kept this long. A repeat of a
 * key within the window answers with the conditions its first request created.
 */
export const KV_IDEMPOTENCY = 'switchboard-idempotency';
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * Key in KV_CONDITIONS marking a create in progress (record written, publish not yet confirmed).
 */
export function creatingKey(id: string): string {
  return `p.${id}`;
}
export const CREATING_PREFIX = 'p.';

/** How long a controller's heartbeat stays in KV_CONTROLLERS without being renewed. */
export const CONTROLLER_HEARTBEAT_TTL_MS = 30_000;

const safe = /^[A-Za-z0-9_-]$/;

/** Reversible encoding of an arbitrary server name into a subject token / KV key part. */
export function serverToken(server: string): string {
  if (server.length === 0) throw new Error('server name must not be empty');
  let out = '';
  for (const ch of server) {
    if (safe.test(ch)) {
      out += ch;
    } else {
      for (const byte of Buffer.from(ch, 'utf8')) out += `=${byte.toString(16).padStart(2, '0')}`;
    }
  }
  return out;
}

export function serverFromToken(token: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < token.length;) {
    if (token[i] === '=') {
      bytes.push(parseInt(token.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      bytes.push(token.charCodeAt(i));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

export function conditionSubject(kind: ConditionKind, server: string): string {
  return `${SUBJECT_PREFIX}.${kind}.${serverToken(server)}`;
}

/** Key in KV_CONDITIONS holding a condition record. */
export function conditionKey(id: string): string {
  return `c.${id}`;
}

/** Key in KV_CONDITIONS pointing to the latest condition id of a server, final or not. */
export function latestConditionKey(server: string): string {
  return `s.${serverToken(server)}`;
}

/** Key in KV_ACTIVE: present exactly while a server has a non-final condition (the claim). */
export function activeKey(server: string): string {
  return serverToken(server);
}

/** Key in KV_CONTROLLERS: one per live controller replica. */
export function controllerKey(controllerId: string): string {
  return serverToken(controllerId);
}

/** Output lines of running actions: kept for late joiners, then aged out. */
export const STREAM_OUTPUT = 'SWITCHBOARD_OUTPUT';
export const OUTPUT_SUBJECT_PREFIX = 'switchboard.output';
export const OUTPUT_RETENTION_MS = 24 * 60 * 60 * 1000;

export function outputSubject(conditionId: string): string {
  return `${OUTPUT_SUBJECT_PREFIX}.${conditionId}`;
}

/** Core NATS request to the controller running a condition: stop it now. */
export const CANCEL_SUBJECT_PREFIX = 'switchboard.cancel';

export function cancelSubject(conditionId: string): string {
  return `${CANCEL_SUBJECT_PREFIX}.${conditionId}`;
}

/**
 * Leases on BMCs that more than one server sits behind (blade chassis): held by a replica for
 * one operation, renewed while it runs, expiring on their own if the holder dies.
 */
export const KV_BMC_LEASES = 'switchboard-bmc-leases';
export const BMC_LEASE_TTL_MS = 20_000;

export function bmcLeaseKey(lockKey: string): string {
  return serverToken(lockKey);
}

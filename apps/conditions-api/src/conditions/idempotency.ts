import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { isCasConflict } from '@switchboard/condition-store';
import { IDEMPOTENCY_WINDOW_MS } from '@switchboard/condition-types';
import { ApiError } from '../errors/api-error';
import { NatsLink } from '../nats/nats-link';

/** The header, as HTTP APIs spell it (IETF draft "The Idempotency-Key HTTP Header Field"). */
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** Printable ASCII without spaces, up to 255 characters: a UUID, a ULID, a client's own token. */
const VALID_KEY = /^[\x21-\x7e]{1,255}$/;

/** One create request under an Idempotency-Key: where its condition ids come from. */
export interface IdempotentCreate {
  /**
   * Whether an earlier request used the key: its conditions are the answer (completed if cut off).
   */
  replay: boolean;
  /** The condition id of `server` under this key: the same for every repeat of the request. */
  idFor(server: string): string;
}

/** A UUID (version 8, RFC 9562's custom layout) from a digest: the same input, the same id. */
function uuidFrom(...parts: string[]): string {
  const b = createHash('sha256').update(parts.join('\0')).digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x80;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Idempotent creates. The first request with a key writes (KV create, so exactly one wins) a
 * record in the `switchboard-idempotency` bucket: a fingerprint of the request and a random
 * nonce; the bucket's TTL is the window (24 h). Condition ids are derived from the nonce and
 * the server, so a repeat, answered by any API replica, names the same conditions: the store
 * answers those already created and completes those cut off before their publish.
 */
@Injectable()
export class Idempotency {
  constructor(private readonly nats: NatsLink) {}

  /** Undefined without a key; 400 for a malformed key, 422 for a key reused for another request. */
  async begin(
    subject: string,
    key: string | string[] | undefined,
    request: unknown,
  ): Promise<IdempotentCreate | undefined> {
    if (key === undefined) return undefined;
    if (Array.isArray(key) || !VALID_KEY.test(key))
      throw ApiError.badRequest(
        'Idempotency-Key must be one value of 1 to 255 printable ASCII characters without spaces',
        [{ path: 'headers.idempotency-key', message: 'invalid Idempotency-Key' }],
      );
    const kv = this.nats.idempotency();
    const entryKey = createHash('sha256').update(`${subject}\0${key}`).digest('hex');
    const fingerprint = createHash('sha256').update(JSON.stringify(request)).digest('hex');
    const fresh = { fingerprint, nonce: randomUUID(), createdAt: new Date().toISOString() };
    let stored = fresh;
    let replay = false;
    try {
      // previousSeq 0: written only if the key has no entry; a repeat loses the compare-and-set.
      await kv.put(entryKey, JSON.stringify(fresh), { previousSeq: 0 });
    } catch (err) {
      if (!isCasConflict(err)) throw err;
      const entry = await kv.get(entryKey);
      if (!entry || entry.operation !== 'PUT') throw err;
      stored = JSON.parse(entry.string()) as typeof fresh;
      replay = true;
    }
    if (stored.fingerprint !== fingerprint)
      throw ApiError.of(
        422,
        `Idempotency-Key ${JSON.stringify(key)} was used for another request within the last ` +
          `${IDEMPOTENCY_WINDOW_MS / 3_600_000} h; send a new key for a new request`,
        { code: 'idempotency_key_reused' },
      );
    return { replay, idFor: (server) => uuidFrom(stored.nonce, server) };
  }
}

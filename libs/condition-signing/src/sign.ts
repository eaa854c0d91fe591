import { createHmac, timingSafeEqual } from 'node:crypto';
import { ConditionSignature, ErrorCode } from '@switchboard/condition-types';
import { signedBytes } from './canonical';
import { describeKeys, keyById, SigningKey, SigningKeys } from './keys';

function mac(key: SigningKey, record: object): Buffer {
  return createHmac('sha256', key.key).update(signedBytes(key.kid, record)).digest();
}

/**
 * `record` with a signature over everything else in it. A record signed before keeps its key
 * when this process holds it (during a rotation, replicas that lack the new key can still
 * read records they read before); anything else is signed with the current key.
 */
export function signCondition<T extends object>(
  record: T,
  keys: SigningKeys,
): T & { signature: ConditionSignature } {
  const held = (record as { signature?: { kid?: unknown } }).signature?.kid;
  const key = (typeof held === 'string' && keyById(keys, held)) || keys.current;
  return {
    ...record,
    signature: { v: 1, kid: key.kid, mac: mac(key, record).toString('base64url') },
  };
}

export type SignatureErrorCode = Extract<
  ErrorCode,
  'signature_missing' | 'signature_invalid' | 'signature_stale'
>;

export type Verdict = { ok: true } | { ok: false; code: SignatureErrorCode; reason: string };

/** When NATS stored the version being checked, and how far that may be from its `updatedAt`. */
export interface Freshness {
  storedAt: Date;
  maxSkewMs: number;
}

/** Default `maxSkewMs`: clocks apart plus a write retried through a NATS leader election. */
export const DEFAULT_MAX_SKEW_MS = 60_000;

const refuse = (code: SignatureErrorCode, reason: string): Verdict => ({ ok: false, code, reason });

/**
 * Whether `record` (as stored: the parsed JSON, not a schema's reading of it) was written by a
 * process holding one of `keys`, unchanged since. With `freshness`, also whether NATS stored it
 * near the time it was signed at: a valid record copied back later (a replay of an earlier
 * version) is refused once `maxSkewMs` has passed. Reasons name no secret.
 */
export function verifyCondition(
  record: unknown,
  keys: SigningKeys,
  freshness?: Freshness,
): Verdict {
  if (record === null || typeof record !== 'object' || Array.isArray(record))
    return refuse('signature_invalid', 'the record is not a JSON object');
  const { signature } = record as { signature?: unknown };
  if (signature === undefined)
    return refuse(
      'signature_missing',
      'the record carries no signature: no Switchboard API or controller wrote it',
    );
  const parsed = ConditionSignature.safeParse(signature);
  if (!parsed.success) return refuse('signature_invalid', 'the record signature is malformed');
  const key = keyById(keys, parsed.data.kid);
  if (!key)
    return refuse(
      'signature_invalid',
      `the record is signed with key ${parsed.data.kid}, which this controller does not hold ` +
        `(it holds ${describeKeys(keys)})`,
    );
  const expected = mac(key, record);
  const given = Buffer.from(parsed.data.mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return refuse(
      'signature_invalid',
      'the record signature does not match its content: it was changed after it was signed',
    );
  if (freshness) {
    const updatedAt = Date.parse(String((record as { updatedAt?: unknown }).updatedAt));
    const gapMs = freshness.storedAt.getTime() - updatedAt;
    if (!Number.isFinite(gapMs) || Math.abs(gapMs) > freshness.maxSkewMs)
      return refuse(
        'signature_stale',
        `NATS stored this version of the record ${Math.round(Math.abs(gapMs) / 1000)} s ` +
          `${gapMs >= 0 ? 'after' : 'before'} the time it was signed at: a copy of an earlier ` +
          `version written again (a replay), or a writer whose clock is that far off (at most ` +
          `${Math.round(freshness.maxSkewMs / 1000)} s are allowed)`,
      );
  }
  return { ok: true };
}

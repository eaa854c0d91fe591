import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';

/**
 * Whether a KV write lost a compare-and-set: JetStream refused it because the key's last
 * sequence was not the one given (error codes 10071, and 10164 when the key had none).
 * Decided by the JetStream error code, never by the wording of the message.
 */
export function isCasConflict(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence ||
      err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

import { isFinal, StatusRecord } from '@switchboard/condition-types';
import { SignatureErrorCode, SigningKeys, verifyCondition } from '@switchboard/condition-signing';
import {
  ConditionStore,
  StaleWriteError,
  StoredCondition,
  UnreadableConditionError,
} from '@switchboard/condition-store';

/** What to do with a delivered condition message, decided from the condition's record in KV. */
export type Claim =
  /** No record: its create was rolled back after the publish. Ack and forget. */
  | { kind: 'missing' }
  /** Already succeeded or failed: a duplicate delivery. Ack. */
  | { kind: 'final'; state: string }
  /**
   * Active and held by a replica whose heartbeat is alive: it is still working on it. Nak with a
   * delay.
   */
  | { kind: 'held'; holder: string }
  /** Others kept winning the compare-and-set; try again later. Nak with a delay. */
  | { kind: 'contended' }
  /**
   * Not final, and not written by a Switchboard process holding our keys (or written again
   * long after it was signed): never run. Fail it (this version, by compare-and-set) and ack.
   */
  | { kind: 'refused'; stored: StoredCondition; code: SignatureErrorCode; reason: string }
  /** The record is not a condition at all: nothing to run and nothing to write. Terminate. */
  | { kind: 'unreadable'; reason: string }
  /**
   * Ours now (compare-and-set done). `previousRecords` are the records before our claim, for the
   * redelivery rule.
   */
  | {
      kind: 'claimed';
      stored: StoredCondition;
      takeover: boolean;
      previousHolder?: string;
      previousRecords: StatusRecord[];
    };

export interface ClaimDeps {
  store: ConditionStore;
  /** This replica's id. */
  me: string;
  /** Whether a replica's heartbeat exists (and, given a condition, lists it: heartbeat.ts). */
  isAlive(controllerId: string, conditionId?: string, sinceMs?: number): Promise<boolean>;
  /** The keys the records must be signed with (libs/condition-signing). */
  signing: SigningKeys;
  /** How far from its `updatedAt` NATS may have stored a record (clock skew, retried writes). */
  maxSkewMs: number;
}

const MAX_CAS_ROUNDS = 3;

/**
 * Takes a delivered condition for this replica, by compare-and-set on its KV revision, so
 * that two replicas can never both start it:
 *  - pending -> active (controller = me);
 *  - active, held by a replica whose heartbeat is gone (or by me in an earlier life, as a
 *    replica restarted with the same CONTROLLER_ID) -> active (controller = me), a takeover:
 *    the caller then applies the redelivery rule to what the records say was in progress;
 *  - active, held by a live replica -> leave it alone.
 * A lost compare-and-set means someone else wrote first: read again and decide again.
 * Before any of this, a record that is not final must carry a valid signature by one of our
 * keys, stored near the time it was signed at: what is acted on is the record as read here,
 * so a record written or changed by anyone without the key is never run.
 */
export async function claimCondition(id: string, deps: ClaimDeps): Promise<Claim> {
  for (let round = 0; round < MAX_CAS_ROUNDS; round++) {
    let stored: StoredCondition | null;
    try {
      stored = await deps.store.getWithRevision(id);
    } catch (err) {
      if (err instanceof UnreadableConditionError)
        return { kind: 'unreadable', reason: err.message };
      throw err;
    }
    if (!stored) return { kind: 'missing' };
    const { condition } = stored;
    if (isFinal(condition.state)) return { kind: 'final', state: condition.state };
    const verdict = verifyCondition(
      stored.json,
      deps.signing,
      stored.storedAt && { storedAt: stored.storedAt, maxSkewMs: deps.maxSkewMs },
    );
    if (!verdict.ok) return { kind: 'refused', stored, code: verdict.code, reason: verdict.reason };

    let record: string;
    let takeover = false;
    const holder = condition.controller;
    if (condition.state === 'pending') {
      record = `picked up by controller ${deps.me}`;
    } else if (holder === deps.me) {
      // Held by this id but not running here: a restart with the same CONTROLLER_ID, or a run cut
      // short.
      record =
        `resumed by controller ${deps.me}: it held the condition but was no longer running ` + `it`;
      takeover = true;
    } else if (
      holder !== undefined &&
      (await deps.isAlive(holder, condition.id, Date.parse(condition.updatedAt)))
    ) {
      return { kind: 'held', holder };
    } else {
      record =
        `taken over by controller ${deps.me}: controller ${holder ?? '(none)'} has no ` +
        `heartbeat`;
      takeover = true;
    }
    try {
      const claimed = await deps.store.updateFrom(stored, 'active', {
        record,
        controller: deps.me,
      });
      return {
        kind: 'claimed',
        stored: claimed,
        takeover,
        previousHolder: holder,
        previousRecords: condition.status.records,
      };
    } catch (err) {
      if (err instanceof StaleWriteError) continue;
      throw err;
    }
  }
  return { kind: 'contended' };
}

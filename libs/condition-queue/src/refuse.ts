import { ConditionStore, StaleWriteError, StoredCondition } from '@switchboard/condition-store';
import type { SignatureErrorCode } from '@switchboard/condition-signing';
import type { Logger } from '@switchboard/logging';

export interface RefusedCondition {
  stored: StoredCondition;
  code: SignatureErrorCode;
  reason: string;
}

/**
 * A condition whose record no Switchboard process signed (or one copied back later): it is not
 * run. Its record, exactly the version read, is failed with the code by compare-and-set, unsigned
 * (our key never vouches for what someone else wrote); the claim of its server is released only
 * if it names this condition, so a forged record cannot free a server another condition holds.
 * False when someone wrote the record in between: decide again on the next delivery.
 */
export async function refuseCondition(
  refused: RefusedCondition,
  deps: { controllerId: string; store: Pick<ConditionStore, 'updateFrom'> },
  logger: Logger,
): Promise<boolean> {
  const { stored, code, reason } = refused;
  const { condition } = stored;
  const log =
    logger.bindings().server === condition.target
      ? logger
      : logger.child({ server: condition.target });
  log.error(
    {
      event: 'condition.refused',
      code,
      kind: condition.kind,
      state: condition.state,
      requestedBy: condition.requestedBy,
      signedWith: condition.signature?.kid ?? null,
    },
    `refused, not run: ${reason}`,
  );
  try {
    await deps.store.updateFrom(stored, 'failed', {
      record: `refused by controller ${deps.controllerId}: ${reason}`,
      error: `refused: ${reason}; it was not run`,
      errorCode: code,
      unsigned: true,
    });
    return true;
  } catch (err) {
    if (err instanceof StaleWriteError) return false;
    throw err;
  }
}

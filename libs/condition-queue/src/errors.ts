/** Ends the condition `failed`, with this message as its `error`. */
export class ConditionFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConditionFailure';
  }
}

/**
 * Our compare-and-set write of the condition was refused: another replica took it over
 * (it believed this one dead). We stop acting on it at once and leave its message alone.
 */
export class LostCondition extends Error {
  constructor(readonly conditionId: string) {
    super(`condition ${conditionId} was taken over by another controller`);
    this.name = 'LostCondition';
  }
}

/** Abort reason when the controller shuts down and gives running work back to the queue. */
export class HandBack extends Error {
  constructor() {
    super('controller is shutting down: work handed back');
    this.name = 'HandBack';
  }
}

/**
 * True when `signal` was aborted to hand the work back (the error thrown may be the reason or an
 * AbortError).
 */
export function handedBack(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason instanceof HandBack;
}

/**
 * Writing the condition to KV failed for another reason than a lost compare-and-set (NATS
 * unavailable).
 */
export class StoreUnavailable extends Error {
  constructor(
    message: string,
    override readonly cause: unknown,
  ) {
    super(message);
    this.name = 'StoreUnavailable';
  }
}

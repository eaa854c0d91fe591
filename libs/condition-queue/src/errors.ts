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
 * Abort reason when this replica could not renew its heartbeat for nearly as long as the others
 * wait before they take its conditions over: it stops acting on them before anyone else may
 * start, so that a BMC never has two controllers' operations at once.
 */
export class LivenessLost extends Error {
  constructor(readonly silentMs: number) {
    super(
      `heartbeat not renewed for ${silentMs} ms: stopping before another controller takes over`,
    );
    this.name = 'LivenessLost';
  }
}

/** True when `signal` was aborted because this replica's heartbeat went stale. */
export function livenessLost(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason instanceof LivenessLost;
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

/** The server already has a condition that is not final. */
export class ConflictError extends Error {
  constructor(
    readonly server: string,
    readonly conditionId: string,
  ) {
    super(`server ${server} already has condition ${conditionId} in progress`);
    this.name = 'ConflictError';
  }
}

/** NATS (or JetStream) could not be reached or did not answer; nothing was left behind. */
export class QueueUnavailableError extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'QueueUnavailableError';
  }
}

/** Another writer changed the condition between our read and our write. */
export class StaleWriteError extends Error {
  constructor(readonly conditionId: string) {
    super(`condition ${conditionId} was changed concurrently`);
    this.name = 'StaleWriteError';
  }
}

/** The record under a condition's key is not a condition (not JSON, or not of the schema). */
export class UnreadableConditionError extends Error {
  constructor(
    readonly conditionId: string,
    override readonly cause: unknown,
  ) {
    super(`the record of condition ${conditionId} is not a condition: ${(cause as Error).message}`);
    this.name = 'UnreadableConditionError';
  }
}

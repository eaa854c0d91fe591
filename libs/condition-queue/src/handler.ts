import type { Condition, ConditionKind, StatusRecord } from '@switchboard/condition-types';
import type { Logger } from '@switchboard/logging';
import type { Cancellation } from './cancellation';
import type { Outcome, Progress } from './progress';

/** The condition of one kind, as its handler receives it. */
export type ConditionOf<K extends ConditionKind> = Extract<Condition, { kind: K }>;

/** One held condition, handed to the handler of its kind. */
export interface Task<C extends Condition = Condition> {
  condition: C;
  /** Records and (through the queue) the outcome, by compare-and-set on our own last write. */
  progress: Progress;
  /** Set when this replica took the condition over: the records the previous holder left. */
  takeover?: { previousRecords: readonly StatusRecord[] };
  /** Aborted with HandBack when the replica shuts down before the task is done. */
  signal: AbortSignal;
  /** Flipped by a cancel request; only handlers that are `cancellable` are asked. */
  cancellation: Cancellation;
  /** Bound to the condition id and server. */
  logger: Logger;
}

/**
 * What a condition kind implements: everything between "this replica holds it" and "its
 * outcome". The queue does the rest (pull, claim, keep-alive, heartbeat, takeover, writing the
 * outcome, ack). Throw ConditionFailure for a failure that concerns the condition; let the
 * signal's reason, LostCondition and StoreUnavailable propagate.
 */
export interface ConditionHandler<K extends ConditionKind = ConditionKind> {
  readonly kind: K;
  /** Whether a running condition of this kind answers a cancel request (default: refused). */
  readonly cancellable?: boolean;
  handle(task: Task<ConditionOf<K>>): Promise<Outcome>;
}

/** `kind -> handler`: the controller app fills it, one line per kind. */
export class HandlerRegistry {
  private readonly handlers = new Map<string, ConditionHandler>();

  register<K extends ConditionKind>(handler: ConditionHandler<K>): this {
    if (this.handlers.has(handler.kind))
      throw new Error(`a handler for ${handler.kind} conditions is already registered`);
    this.handlers.set(handler.kind, handler as unknown as ConditionHandler);
    return this;
  }

  get(kind: string): ConditionHandler | undefined {
    return this.handlers.get(kind);
  }

  get kinds(): string[] {
    return [...this.handlers.keys()];
  }

  /** The kinds whose running conditions a cancel request stops. */
  get cancellableKinds(): string[] {
    return [...this.handlers.values()].filter((h) => h.cancellable).map((h) => h.kind);
  }
}

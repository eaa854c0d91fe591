import { ConditionFailure, LostCondition, StoreUnavailable } from './errors';
import { runWithFault } from './faults';
import type { HandlerRegistry, Task } from './handler';
import type { Outcome } from './progress';

/**
 * Runs a held condition through the handler of its kind, to its outcome. Every failure that
 * concerns the condition becomes `failed` with a message; a hand-back (shutdown), a lost
 * condition or KV being unavailable propagate, since the condition must then not be finished here.
 * With `faults`, a condition's rivets fault is applied around its handler (see `runWithFault`).
 */
export async function runHandler(
  handlers: HandlerRegistry,
  task: Task,
  options: { faults?: boolean } = {},
): Promise<Outcome> {
  const { condition, signal, logger } = task;
  try {
    signal.throwIfAborted();
    const handler = handlers.get(condition.kind);
    if (!handler) {
      throw new ConditionFailure(
        `this controller has no handler for ${condition.kind} conditions ` +
          `(it handles ${handlers.kinds.join(', ') || 'none'})`,
      );
    }
    return await runWithFault(task, options.faults ?? false, () => handler.handle(task));
  } catch (err) {
    if (signal.aborted || err instanceof LostCondition || err instanceof StoreUnavailable)
      throw err;
    if (err instanceof ConditionFailure) return { state: 'failed', error: err.message };
    // A bug, not a fault of the server: fail the condition rather than redeliver it forever.
    logger.error({ event: 'condition.internal_error', err }, 'unexpected error while handling');
    return {
      state: 'failed',
      error: `internal error in the controller: ${(err as Error)?.message ?? String(err)}`,
    };
  }
}

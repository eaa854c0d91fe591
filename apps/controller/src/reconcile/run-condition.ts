import { Condition, ServerControlResult, StatusRecord } from '@switchboard/condition-types';
import type { Driver } from '@switchboard/drivers';
import type { Inventory, ServerEntry } from '@switchboard/inventory';
import type { Logger } from '@switchboard/logging';
import type { Cancellation } from '../actions/cancellation';
import { ActionDeps, runAction } from '../actions/run-action';
import { BmcLeases } from '../concurrency/bmc-leases';
import { KeyedMutex } from '../concurrency/keyed-mutex';
import { ConditionFailure, LostCondition, StoreUnavailable } from '../errors/outcomes';
import { RetryPolicy } from '../retry';
import { ReconcileContext, ReconcileTiming } from './context';
import { DriverCallEvent, DriverCalls } from './driver-call';
import { Outcome, Progress } from './progress';
import { reconcileServerControl } from './server-control';

export type DriverFactory = (server: ServerEntry, platforms: Inventory['platforms']) => Driver;

export interface RunDeps {
  controllerId: string;
  /** The inventory as last (re)loaded. */
  inventory: () => Inventory;
  createDriver: DriverFactory;
  /** One operation per BMC (driver.lockKey) at a time. */
  bmcLocks: KeyedMutex;
  /** The same across replicas, for BMCs that several servers share. */
  bmcLeases: BmcLeases;
  timing: ReconcileTiming;
  operationTimeoutMs: number;
  retry: RetryPolicy;
  onDriverCall?: (event: DriverCallEvent) => void;
  /** Everything `action` conditions need. */
  actions: ActionDeps;
}

export interface RunRequest {
  condition: Condition;
  progress: Progress;
  /** Set when the condition was taken over: its records as the previous holder left them. */
  takeover?: { previousRecords: readonly StatusRecord[] };
  signal: AbortSignal;
  /** Flipped by a cancel request; only actions heed it. */
  cancellation: Cancellation;
  logger: Logger;
}

function summary(result: ServerControlResult): string {
  return `succeeded: ${JSON.stringify(result)}`;
}

/**
 * Runs one held condition to its outcome. An action goes to runAction (actions/). A
 * serverControl condition: finds the server in the (reloaded) inventory, builds its driver,
 * waits for its BMC to be free, and reconciles. Every failure that concerns the
 * condition becomes a `failed` outcome with a message; a hand-back (shutdown), a lost
 * condition or KV being unavailable propagate, since the condition must then not be finished here.
 */
export async function runCondition(req: RunRequest, deps: RunDeps): Promise<Outcome> {
  const { condition, progress, signal, logger } = req;
  try {
    signal.throwIfAborted();
    if (condition.kind === 'action') {
      return await runAction({ ...req, condition }, deps.actions);
    }
    const inventory = deps.inventory();
    const server = inventory.get(condition.target);
    if (!server) {
      throw new ConditionFailure(`server ${condition.target} is not in the inventory`);
    }
    let driver: Driver;
    try {
      driver = deps.createDriver(server, inventory.platforms);
    } catch (err) {
      throw new ConditionFailure(`cannot drive server ${server.name}: ${(err as Error).message}`);
    }

    if (deps.bmcLocks.isHeld(driver.lockKey)) {
      await progress.record(`waiting for ${driver.lockKey}: another operation on it is running`);
    }
    const release = await deps.bmcLocks.acquire(driver.lockKey, signal);
    let releaseLease: (() => Promise<void>) | undefined;
    try {
      if (deps.bmcLeases.isShared(inventory, driver.lockKey)) {
        releaseLease = await deps.bmcLeases.acquire(
          driver.lockKey,
          { controller: deps.controllerId, conditionId: condition.id },
          signal,
          (holder) =>
            progress.record(
              `waiting for ${driver.lockKey}: another server behind this BMC is being operated on (${holder})`,
            ),
        );
      }
      const ctx: ReconcileContext = {
        server: server.name,
        platform: server.platform ?? driver.kind,
        driver,
        progress,
        timing: deps.timing,
        signal,
        logger,
        takeover: req.takeover,
        calls: new DriverCalls({
          controller: deps.controllerId,
          conditionId: condition.id,
          server: server.name,
          driverKind: driver.kind,
          lockKey: driver.lockKey,
          operationTimeoutMs: deps.operationTimeoutMs,
          retry: deps.retry,
          signal,
          logger,
          onCall: deps.onDriverCall,
          onRetry: (message) => progress.record(message),
        }),
      };
      const result = await reconcileServerControl(condition.parameters, ctx);
      return { state: 'succeeded', result, record: summary(result) };
    } finally {
      await releaseLease?.();
      release();
    }
  } catch (err) {
    if (signal.aborted || err instanceof LostCondition || err instanceof StoreUnavailable)
      throw err;
    if (err instanceof ConditionFailure) return { state: 'failed', error: err.message };
    // A bug, not a fault of the server: fail the condition rather than redeliver it forever.
    logger.error({ event: 'condition.internal_error', err }, 'unexpected error while reconciling');
    return {
      state: 'failed',
      error: `internal error in the controller: ${(err as Error)?.message ?? String(err)}`,
    };
  }
}

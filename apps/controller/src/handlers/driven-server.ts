import { ConditionFailure, Task } from '@switchboard/condition-queue';
import type { Driver } from '@switchboard/drivers';
import type { Inventory, ServerEntry } from '@switchboard/inventory';
import type { ReconcileContext, ReconcileTiming } from '../reconcile/context';
import { DriverCalls } from '../reconcile/driver-call';
import type { RetryPolicy } from '../retry';
import type { ControllerServices } from '../services';

/**
 * What the handlers that drive a server (serverControl, estate) share: finding the server and
 * its driver, and the context their reconcile code runs in. One copy, so both fail alike on an
 * unknown server or a driver that cannot be built, and time and retry their calls alike.
 */

export interface DrivenServer {
  /** The inventory the server was found in (reloaded since the last condition, maybe). */
  inventory: Inventory;
  server: ServerEntry;
  driver: Driver;
}

/** The target's inventory entry and its driver, or a ConditionFailure saying which is missing. */
export function driveServer(services: ControllerServices, target: string): DrivenServer {
  const inventory = services.inventory();
  const server = inventory.get(target);
  if (!server) throw new ConditionFailure(`server ${target} is not in the inventory`);
  try {
    return { inventory, server, driver: services.createDriver(server, inventory.platforms) };
  } catch (err) {
    throw new ConditionFailure(`cannot drive server ${server.name}: ${(err as Error).message}`);
  }
}

/** Verification timing and the retry policy of driver calls, from the controller's settings. */
export function reconcilePolicy(services: ControllerServices): {
  timing: ReconcileTiming;
  retry: RetryPolicy;
} {
  const { settings } = services;
  return {
    timing: {
      verify: {
        timeoutMs: settings.verifyTimeoutMs,
        intervalMs: settings.verifyIntervalMs,
        maxIntervalMs: Math.max(settings.verifyIntervalMs, 1000),
      },
      bmcResetSettleMs: settings.bmcResetSettleMs,
    },
    retry: {
      attempts: settings.operationAttempts,
      baseDelayMs: settings.retryBaseDelayMs,
      maxDelayMs: 30_000,
    },
  };
}

/** The context one condition's reconcile code runs in: its driver's calls, progress and clock. */
export function reconcileContext(
  services: ControllerServices,
  task: Pick<Task, 'condition' | 'progress' | 'signal' | 'logger' | 'takeover'>,
  { server, driver }: Pick<DrivenServer, 'server' | 'driver'>,
  policy: ReturnType<typeof reconcilePolicy>,
): ReconcileContext {
  const { condition, progress, signal, logger, takeover } = task;
  return {
    server: server.name,
    platform: server.platform ?? driver.kind,
    driver,
    progress,
    timing: policy.timing,
    signal,
    logger,
    takeover,
    calls: new DriverCalls({
      controller: services.controllerId,
      conditionId: condition.id,
      server: server.name,
      driverKind: driver.kind,
      lockKey: driver.lockKey,
      operationTimeoutMs: services.settings.operationTimeoutMs,
      retry: policy.retry,
      signal,
      logger,
      onCall: services.onDriverCall,
      onRetry: (message) => progress.record(message),
    }),
  };
}

import { ConditionFailure, ConditionHandler } from '@switchboard/condition-queue';
import type { ServerControlResult } from '@switchboard/condition-types';
import type { Driver } from '@switchboard/drivers';
import { BmcLeases } from '../concurrency/bmc-leases';
import { KeyedMutex } from '../concurrency/keyed-mutex';
import type { ReconcileContext, ReconcileTiming } from '../reconcile/context';
import { DriverCalls } from '../reconcile/driver-call';
import { reconcileServerControl } from '../reconcile/server-control';
import type { RetryPolicy } from '../retry';
import type { ControllerServices } from '../services';

function summary(result: ServerControlResult): string {
  return `succeeded: ${JSON.stringify(result)}`;
}

/**
 * `serverControl`: finds the server in the (reloaded) inventory, builds its driver, waits for
 * its BMC to be free (in this replica, and across replicas for a BMC several servers share),
 * and reconciles the action (reconcile/).
 */
export function serverControlHandler(
  services: ControllerServices,
): ConditionHandler<'serverControl'> {
  const { controllerId, settings } = services;
  const bmcLocks = new KeyedMutex();
  const bmcLeases = new BmcLeases(services.buckets.bmcLeases, services.logger);
  const timing: ReconcileTiming = {
    verify: {
      timeoutMs: settings.verifyTimeoutMs,
      intervalMs: settings.verifyIntervalMs,
      maxIntervalMs: Math.max(settings.verifyIntervalMs, 1000),
    },
    bmcResetSettleMs: settings.bmcResetSettleMs,
  };
  const retry: RetryPolicy = {
    attempts: settings.operationAttempts,
    baseDelayMs: settings.retryBaseDelayMs,
    maxDelayMs: 30_000,
  };

  return {
    kind: 'serverControl',
    async handle({ condition, progress, signal, logger, takeover }) {
      const inventory = services.inventory();
      const server = inventory.get(condition.target);
      if (!server) {
        throw new ConditionFailure(`server ${condition.target} is not in the inventory`);
      }
      let driver: Driver;
      try {
        driver = services.createDriver(server, inventory.platforms);
      } catch (err) {
        throw new ConditionFailure(`cannot drive server ${server.name}: ${(err as Error).message}`);
      }

      if (bmcLocks.isHeld(driver.lockKey)) {
        await progress.record(`waiting for ${driver.lockKey}: another operation on it is running`);
      }
      const release = await bmcLocks.acquire(driver.lockKey, signal);
      let releaseLease: (() => Promise<void>) | undefined;
      try {
        if (bmcLeases.isShared(inventory, driver.lockKey)) {
          releaseLease = await bmcLeases.acquire(
            driver.lockKey,
            { controller: controllerId, conditionId: condition.id },
            signal,
            (holder) =>
              progress.record(
                `waiting for ${driver.lockKey}: ` +
                  `another server behind this BMC is being operated on (${holder})`,
              ),
          );
        }
        const ctx: ReconcileContext = {
          server: server.name,
          platform: server.platform ?? driver.kind,
          driver,
          progress,
          timing,
          signal,
          logger,
          takeover,
          calls: new DriverCalls({
            controller: controllerId,
            conditionId: condition.id,
            server: server.name,
            driverKind: driver.kind,
            lockKey: driver.lockKey,
            operationTimeoutMs: settings.operationTimeoutMs,
            retry,
            signal,
            logger,
            onCall: services.onDriverCall,
            onRetry: (message) => progress.record(message),
          }),
        };
        const result = await reconcileServerControl(condition.parameters, ctx);
        return { state: 'succeeded', result, record: summary(result) };
      } finally {
        await releaseLease?.();
        release();
      }
    },
  };
}

import type { ConditionHandler } from '@switchboard/condition-queue';
import type { ServerControlResult } from '@switchboard/condition-types';
import { BmcLeases } from '../concurrency/bmc-leases';
import { KeyedMutex } from '../concurrency/keyed-mutex';
import { reconcileServerControl } from '../reconcile/server-control';
import type { ControllerServices } from '../services';
import { driveServer, reconcileContext, reconcilePolicy } from './driven-server';

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
  const bmcLocks = new KeyedMutex();
  const bmcLeases = new BmcLeases(services.buckets.bmcLeases, services.logger);
  const policy = reconcilePolicy(services);

  return {
    kind: 'serverControl',
    async handle(task) {
      const { condition, progress, signal } = task;
      const driven = driveServer(services, condition.target);
      const { lockKey } = driven.driver;

      if (bmcLocks.isHeld(lockKey)) {
        await progress.record(`waiting for ${lockKey}: another operation on it is running`);
      }
      const release = await bmcLocks.acquire(lockKey, signal);
      let releaseLease: (() => Promise<void>) | undefined;
      try {
        if (bmcLeases.isShared(driven.inventory, lockKey)) {
          releaseLease = await bmcLeases.acquire(
            lockKey,
            { controller: services.controllerId, conditionId: condition.id },
            signal,
            (holder) =>
              progress.record(
                `waiting for ${lockKey}: ` +
                  `another server behind this BMC is being operated on (${holder})`,
              ),
          );
        }
        const ctx = reconcileContext(services, task, driven, policy);
        const result = await reconcileServerControl(condition.parameters, ctx);
        return { state: 'succeeded', result, record: summary(result) };
      } finally {
        await releaseLease?.();
        release();
      }
    },
  };
}

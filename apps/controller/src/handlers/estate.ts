import { ConditionFailure, ConditionHandler, Outcome, Task } from '@switchboard/condition-queue';
import type { EstateParameters } from '@switchboard/condition-types';
import { KeyedMutex } from '../concurrency/keyed-mutex';
import { changeMachineType, EstateDrivers, showMachineType } from '../estate/change-machine-type';
import { EstateFailure } from '../estate/estate-failure';
import {
  DEFAULT_MACHINE_TYPES_FILE,
  loadMachineTypes,
  MachineTypesFileError,
} from '../estate/machine-types';
import type { ControllerServices } from '../services';
import { driveServer, reconcileContext, reconcilePolicy } from './driven-server';

/** One estate request: an `estate` condition's task, or an action's naming estate-show/-change. */
export type EstateRunner = (
  task: Pick<Task, 'condition' | 'progress' | 'signal' | 'logger' | 'takeover'>,
  parameters: EstateParameters,
) => Promise<Outcome>;

/**
 * `estate`: OpenFlight's estate-show and estate-change for a cloud node (estate/). The API's
 * per-server claim keeps an estate change and a power action on one node apart; within this
 * replica, so does the node's lock.
 */
export function estateHandler(
  services: ControllerServices,
  run: EstateRunner = estateRunner(services),
): ConditionHandler<'estate'> {
  return { kind: 'estate', handle: (task) => run(task, task.condition.parameters) };
}

/** The estate work, shared by the `estate` handler and the built-in estate commands of actions. */
export function estateRunner(services: ControllerServices): EstateRunner {
  const locks = new KeyedMutex();
  const policy = reconcilePolicy(services);
  const typesFile = services.env.MACHINE_TYPES_FILE?.trim() || DEFAULT_MACHINE_TYPES_FILE;

  return async (task, parameters) => {
    const driven = driveServer(services, task.condition.target);
    const { server, driver } = driven;
    const platform = server.platform ?? driver.kind;
    if (!driver.machineTypeGetter) {
      return EstateFailure.coded(
        'unsupported_platform',
        `platform ${platform} has no machine types (estate works on aws and azure nodes)`,
      ).outcome();
    }
    const drivers: EstateDrivers = {
      getter: driver.machineTypeGetter,
      ...(driver.machineTypeSetter ? { setter: driver.machineTypeSetter } : {}),
      ...(driver.powerGetter && driver.powerSetter
        ? { power: { getter: driver.powerGetter, setter: driver.powerSetter } }
        : {}),
    };
    const release = await locks.acquire(driver.lockKey, task.signal);
    try {
      const table = await loadMachineTypes(typesFile);
      const ctx = reconcileContext(services, task, driven, policy);
      const { action, machine_type: requested } = parameters;
      const result =
        action === 'show'
          ? await showMachineType(ctx, drivers, table)
          : await changeMachineType(requested ?? '', ctx, drivers, table);
      return { state: 'succeeded', result, record: `succeeded: ${JSON.stringify(result)}` };
    } catch (err) {
      if (err instanceof EstateFailure) return err.outcome();
      if (err instanceof MachineTypesFileError) throw new ConditionFailure(err.message);
      throw err;
    } finally {
      release();
    }
  };
}

import type { ConditionHandler } from '@switchboard/condition-queue';
import { estateCommandRequest } from '@switchboard/condition-types';
import { ByteBudget, OUTPUT_BUDGET_BYTES } from '../actions/output-budget';
import { ActionDeps, runAction } from '../actions/run-action';
import { KeyedMutex } from '../concurrency/keyed-mutex';
import { runEstateCommand } from '../actions/run-estate-command';
import type { ControllerServices } from '../services';
import type { EstateRunner } from './estate';

/**
 * `action`: a command of the commands directory run for the server (actions/run-action.ts);
 * OpenFlight's built-in estate-show and estate-change are handed to the estate code instead.
 */
export function actionHandler(
  services: ControllerServices,
  runEstate: EstateRunner,
): ConditionHandler<'action'> {
  const deps: ActionDeps = {
    controllerId: services.controllerId,
    commands: services.commands,
    inventory: services.inventory,
    secrets: { allowed: services.settings.commandSecrets, env: services.env },
    serverLocks: new KeyedMutex(),
    js: services.js,
    outputBudget: new ByteBudget(OUTPUT_BUDGET_BYTES),
  };
  return {
    kind: 'action',
    cancellable: true,
    handle: (task) => {
      const estate = estateCommandRequest(task.condition.parameters);
      if (!estate) return runAction(task, deps);
      // The API refuses bad arguments; a condition queued otherwise still fails clearly.
      if (!estate.ok)
        return Promise.resolve({
          state: 'failed',
          error: `${task.condition.parameters.command}: ${estate.message}`,
          result: { exit_code: 1, script: `${task.condition.parameters.command} (built in)` },
        });
      return runEstateCommand(task, estate.parameters, runEstate, deps);
    },
  };
}

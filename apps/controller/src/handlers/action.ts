import type { ConditionHandler } from '@switchboard/condition-queue';
import { ByteBudget, OUTPUT_BUDGET_BYTES } from '../actions/output-budget';
import { ActionDeps, runAction } from '../actions/run-action';
import { KeyedMutex } from '../concurrency/keyed-mutex';
import type { ControllerServices } from '../services';

/** `action`: a command of the commands directory run for the server (actions/run-action.ts). */
export function actionHandler(services: ControllerServices): ConditionHandler<'action'> {
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
    handle: (task) => runAction(task, deps),
  };
}

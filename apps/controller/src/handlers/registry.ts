import { HandlerRegistry } from '@switchboard/condition-queue';
import type { ControllerServices } from '../services';
import { actionHandler } from './action';
import { estateHandler, estateRunner } from './estate';
import { serverControlHandler } from './server-control';

/**
 * The condition kinds this controller handles. A new kind is a handler file in this folder
 * (a ConditionHandler, see @switchboard/condition-queue) and one line here.
 */
export function conditionHandlers(services: ControllerServices): HandlerRegistry {
  // One estate runner (one lock per node) for estate conditions and the built-in estate commands.
  const estate = estateRunner(services);
  return new HandlerRegistry()
    .register(serverControlHandler(services))
    .register(actionHandler(services, estate))
    .register(estateHandler(services, estate));
}

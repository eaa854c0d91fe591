import { HandlerRegistry } from '@switchboard/condition-queue';
import type { ControllerServices } from '../services';
import { actionHandler } from './action';
import { estateHandler } from './estate';
import { serverControlHandler } from './server-control';

/**
 * The condition kinds this controller handles. A new kind is a handler file in this folder
 * (a ConditionHandler, see @switchboard/condition-queue) and one line here.
 */
export function conditionHandlers(services: ControllerServices): HandlerRegistry {
  return new HandlerRegistry()
    .register(serverControlHandler(services))
    .register(actionHandler(services))
    .register(estateHandler(services));
}

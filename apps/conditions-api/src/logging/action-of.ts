import type { ConditionKind, ParametersOf } from '@switchboard/condition-types';

/**
 * The action of a condition, for the audit log: the serverControl action and its
 * parameter, or the action command's name. Never an action's arguments: they are free
 * text a caller may fill with anything, including credentials.
 */
export function actionOf(kind: ConditionKind, parameters: ParametersOf<ConditionKind>): string {
  if (kind === 'serverControl' && 'action' in parameters) {
    return parameters.action_parameter
      ? `${parameters.action} ${parameters.action_parameter}`
      : parameters.action;
  }
  return 'command' in parameters ? parameters.command : kind;
}

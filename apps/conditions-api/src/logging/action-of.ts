/**
 * The action of a condition, for the audit log: the serverControl action and its
 * parameter, or the action command's name. Never an action's arguments: they are free
 * text a caller may fill with anything, including credentials. Takes parameters as sent
 * (they may not be valid yet); undefined when they name no action.
 */
export function actionOf(parameters: unknown): string | undefined {
  if (typeof parameters !== 'object' || parameters === null) return undefined;
  const p = parameters as Record<string, unknown>;
  const { action, command } = p;
  // serverControl's action_parameter, estate's machine_type.
  const parameter = p.action_parameter ?? p.machine_type;
  if (typeof action === 'string')
    return typeof parameter === 'string' && parameter !== '' ? `${action} ${parameter}` : action;
  return typeof command === 'string' ? command : undefined;
}

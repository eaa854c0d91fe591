import type { ConditionKind, ParametersOf } from './condition';

/** What a log may show of an action's arguments: how many, and how long each is. */
export interface ArgumentsForLog {
  count: number;
  lengths: number[];
}

/**
 * A condition's parameters as a log line may carry them. An action's arguments are whatever
 * its requester typed (`--db-password=...` included) and logs travel further than the API's
 * answers, so they appear only by count and lengths; the command name and a serverControl's
 * parameters are not secret and appear as they are.
 */
export function parametersForLog(parameters: ParametersOf<ConditionKind>): Record<string, unknown> {
  if (!('command' in parameters)) return parameters;
  const args: ArgumentsForLog = {
    count: parameters.arguments.length,
    lengths: parameters.arguments.map((a) => a.length),
  };
  return { command: parameters.command, arguments: args };
}

import { CommandDefinition, formatProblem } from '@switchboard/commands';
import { ConditionFailure } from '@switchboard/condition-queue';
import type { CommandsSource } from './commands-directory';

export const NO_COMMANDS_DIR = 'no commands directory configured (COMMANDS_DIR)';

/**
 * The command an action names, as the directory holds it now; otherwise a failure that says
 * why: no directory, a broken command (each of its problems, with file and line), or no such
 * command at all.
 */
export function resolveCommand(
  name: string,
  source: CommandsSource | undefined,
): CommandDefinition {
  if (!source) throw new ConditionFailure(NO_COMMANDS_DIR);
  const { commands, problems } = source.current();
  const command = commands.get(name);
  if (command) return command;
  const own = problems.filter((p) => p.command === name);
  if (own.length > 0) {
    throw new ConditionFailure(
      `command ${name} is broken and was not loaded: ${own.map(formatProblem).join('; ')}`,
    );
  }
  throw new ConditionFailure(`unknown command ${name}: no such command in ${source.dir}`);
}

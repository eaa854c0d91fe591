import type {
  CommandProblem,
  CommandSummary,
  CommandsResponse,
} from '@switchboard/condition-types';
import type { ApiClient } from '../api-client';
import { CliError } from '../errors';
import { ExitCode } from '../exit-codes';
import { describeProblem } from '../output/command-help';

/**
 * The server has no command of that name, or has it broken; the details say what to fix or what
 * exists.
 */
export class CommandNotFoundError extends CliError {
  readonly exitCode = ExitCode.Usage;
  constructor(
    message: string,
    private readonly lines: string[],
  ) {
    super(message);
    this.name = 'CommandNotFoundError';
  }

  override details(): string[] {
    return this.lines;
  }
}

export type CommandLookup =
  | { found: 'command'; command: CommandSummary }
  | { found: 'broken'; problems: CommandProblem[] }
  | { found: 'none' };

/**
 * A command of the listing by name; a broken one is found with its problems (it is not in
 * `commands`).
 */
export function lookUpCommand(listing: CommandsResponse, name: string): CommandLookup {
  const command = listing.commands.find((c) => c.name === name);
  if (command) return { found: 'command', command };
  const problems = listing.problems.filter((p) => p.command === name);
  return problems.length > 0 ? { found: 'broken', problems } : { found: 'none' };
}

/**
 * The server's command `name`, ready to run, or a usage error (exit 2) that says why not. The
 * whole listing is read (GET /commands) rather than GET /commands/{name}: it also carries the
 * problems of a broken command, which is worth more than "not found" to whoever has to fix it.
 */
export async function findCommand(
  client: Pick<ApiClient, 'listCommands'>,
  name: string,
): Promise<CommandSummary> {
  const listing = await client.listCommands();
  const found = lookUpCommand(listing, name);
  switch (found.found) {
    case 'command':
      return found.command;
    case 'broken':
      throw new CommandNotFoundError(
        `command "${name}" is broken on the server and cannot run until its files are fixed:`,
        found.problems.map((p) => `  ${describeProblem(p)}`),
      );
    case 'none': {
      const names = listing.commands.map((c) => c.name);
      throw new CommandNotFoundError(
        `the server has no command "${name}"`,
        // With no commands at all, the API's own message says why (e.g. no COMMANDS_DIR).
        [
          names.length > 0
            ? `commands: ${names.join(', ')} (mctl help describes them)`
            : `the server has no commands: ${listing.message}`,
        ],
      );
    }
  }
}

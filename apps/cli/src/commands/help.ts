import type { Command } from 'commander';
import { CommandNotFoundError, lookUpCommand } from '../actions/find-command';
import { UsageError } from '../errors';
import { ExitCode } from '../exit-codes';
import {
  describeProblem,
  renderCommandHelp,
  renderCommandList,
  renderProblemsNote,
} from '../output/command-help';
import { toJson } from '../output/json';
import type { Session } from '../session';
import type { CommandDeps } from './command-deps';

const DETAILS = `
Names are looked up among mctl's own commands first (power, boot, run, estate-list, help), then
among the server's: "mctl help power" is mctl's power command. A server command with a built-in's
name is still described by "mctl help run <command>". mctl's own commands need no API for help.

Examples:
  mctl help                  the server's commands and their summaries
  mctl help power-off        what power-off does, its syntax, timeout and confirmation
  mctl help run power        the server's command "power", not mctl's
  mctl help power            mctl's power command (same as mctl power --help)`;

/**
 * Replaces commander's help command: mctl's own commands first, then the server's (OpenFlight's
 * `action help`).
 */
export function registerHelp(program: Command, deps: CommandDeps): void {
  program.helpCommand(false);
  const cmd = program
    .command('help')
    .summary("list the server's commands, or describe one (mctl's own: mctl <command> --help)")
    .description(
      "Without a name: the server's commands (GET /api/v1/commands). With one: help of " +
        "mctl's own command of that name, else of the server's command.",
    )
    .argument('[name]', "one of mctl's commands, or a command of the server")
    .argument('[command]', 'after "run": a command of the server, even one named like a built-in')
    .addHelpText('after', DETAILS);

  cmd.action(
    async (
      name: string | undefined,
      second: string | undefined,
      _opts: unknown,
      command: Command,
    ) => {
      const builtin =
        name === undefined
          ? undefined
          : program.commands.find((c) => c.name() === name || c.aliases().includes(name));
      if (builtin && !(name === 'run' && second !== undefined)) {
        if (second !== undefined)
          throw new UsageError(`too many arguments: mctl help ${name} takes no more words`);
        builtin.outputHelp();
        deps.done(ExitCode.Ok);
        return;
      }
      if (name !== undefined && second !== undefined && name !== 'run')
        throw new UsageError(`too many arguments: mctl help ${name} takes no more words`);
      const session = deps.session(command);
      const builtins = new Set(program.commands.map((c) => c.name()));
      deps.done(
        await (name === undefined
          ? listCommands(session, builtins)
          : describeCommand(session, second ?? name)),
      );
    },
  );
}

async function listCommands(session: Session, builtins: ReadonlySet<string>): Promise<number> {
  const listing = await session.client().listCommands();
  if (session.json) {
    session.out(toJson(listing));
    return ExitCode.Ok;
  }
  session.out(renderCommandList(listing, builtins));
  session.io.stderr.write(renderProblemsNote(listing.problems));
  return ExitCode.Ok;
}

/**
 * Exit 0 for a command that can run; 1 for a broken one (its problems listed); 2 for a name the
 * server does not know.
 */
async function describeCommand(session: Session, name: string): Promise<number> {
  const listing = await session.client().listCommands();
  const found = lookUpCommand(listing, name);
  switch (found.found) {
    case 'command':
      session.out(session.json ? toJson(found.command) : renderCommandHelp(found.command));
      return ExitCode.Ok;
    case 'broken':
      session.io.stderr.write(
        `mctl: command "${name}" is broken on the server and cannot run until its files ` +
          `are fixed:\n${found.problems.map((p) => `  ${describeProblem(p)}\n`).join('')}`,
      );
      return ExitCode.NotAllSucceeded;
    case 'none':
      throw new CommandNotFoundError(
        `"${name}" is neither one of mctl's commands nor a command of the server`,
        ["mctl --help lists mctl's own commands; mctl help lists the server's"],
      );
  }
}

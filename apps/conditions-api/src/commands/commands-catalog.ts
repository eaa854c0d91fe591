import {
  CommandDefinition,
  CommandsWatch,
  toPublicView,
  watchCommands,
} from '@switchboard/commands';
import {
  CommandProblem,
  CommandSummary,
  CommandsResponse,
  ESTATE_COMMAND_NAMES,
  ESTATE_COMMANDS,
} from '@switchboard/condition-types';
import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Logger } from '@switchboard/logging';
import type { ApiOptions } from '../core/api-options';
import { API_OPTIONS, LOGGER } from '../core/tokens';

/** What the catalog knows about one command name. */
export type CommandLookup =
  /** No COMMANDS_DIR: the API cannot tell, and leaves the decision to the controller. */
  | { status: 'unconfigured' }
  /** OpenFlight's estate commands: carried out by the estate code, whatever the directory holds. */
  | { status: 'builtin'; summary: CommandSummary }
  | { status: 'unknown' }
  /**
   * The directory has the command but it did not load; `problems` say why (files relative to the
   * directory).
   */
  | { status: 'broken'; problems: CommandProblem[] }
  | { status: 'ok'; command: CommandDefinition; summary: CommandSummary };

export const NO_COMMANDS_DIR = 'no commands directory configured (COMMANDS_DIR is not set)';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The commands directory as the API sees it: the same directory the controller runs from,
 * reloaded when it changes, so that a listing shows what would run now and an action for a
 * command that cannot run is refused when it is asked for, not minutes later by a controller.
 * Optional: without a directory the API lists nothing and checks no command names. Loaded
 * when its module initialises: a directory that cannot be read stops the API from starting.
 */
@Injectable()
export class CommandsCatalog implements OnModuleInit, OnApplicationShutdown {
  private readonly dir: string | undefined;
  private watch: CommandsWatch | undefined;

  constructor(
    @Inject(API_OPTIONS) options: ApiOptions,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.dir = options.commandsDir;
  }

  /** Loads the directory now (throwing if it cannot be read) and watches it. */
  onModuleInit(): void {
    if (this.dir !== undefined) this.watch = watchCommands(this.dir, { logger: this.logger });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.watch?.close();
  }

  /**
   * GET /commands: the built-in estate commands, every good command of the directory, and every
   * problem of the broken ones. A directory command named like a built-in never runs: it is
   * left out and reported as a problem, so nobody edits a script that is not used.
   */
  list(): CommandsResponse {
    if (!this.watch || this.dir === undefined)
      return {
        message: `${NO_COMMANDS_DIR}: only the built-in estate commands`,
        commands: [...ESTATE_COMMANDS],
        problems: [],
      };
    const view = toPublicView(this.watch.current(), this.dir);
    const shadowed = view.commands.filter((c) => ESTATE_COMMAND_NAMES.includes(c.name));
    const commands = [
      ...ESTATE_COMMANDS,
      ...view.commands.filter((c) => !ESTATE_COMMAND_NAMES.includes(c.name)),
    ];
    const problems = [
      ...view.problems,
      ...shadowed.map((c) => ({
        command: c.name,
        file: c.name,
        message: `not used: ${c.name} is a built-in command (the estate code carries it out)`,
      })),
    ];
    const broken = new Set(problems.map((p) => p.command)).size;
    const notLoaded =
      broken > 0
        ? `; ${plural(broken, 'broken command')} not loaded (${plural(problems.length, 'problem')})`
        : '';
    const message = `${plural(commands.length, 'command')}${notLoaded}`;
    return { message, commands, problems };
  }

  lookup(name: string): CommandLookup {
    const builtin = ESTATE_COMMANDS.find((c) => c.name === name);
    if (builtin) return { status: 'builtin', summary: builtin };
    if (!this.watch || this.dir === undefined) return { status: 'unconfigured' };
    const result = this.watch.current();
    const view = toPublicView(result, this.dir);
    const command = result.commands.get(name);
    const summary = view.commands.find((c) => c.name === name);
    if (command && summary) return { status: 'ok', command, summary };
    const problems = view.problems.filter((p) => p.command === name);
    return problems.length > 0 ? { status: 'broken', problems } : { status: 'unknown' };
  }

  /** Names of the commands that would run, for messages that say what was meant instead. */
  names(): string[] {
    return [...ESTATE_COMMAND_NAMES, ...(this.watch?.current().commands.keys() ?? [])];
  }
}

/** "file:line: message" of a public problem, for messages. */
export function describeProblem(problem: CommandProblem): string {
  return (
    `${problem.file}${problem.line === undefined ? '' : `:${problem.line}`}: ` +
    `${problem.message}`
  );
}

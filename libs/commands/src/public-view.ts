import path from 'node:path';

import type { CommandProblem, CommandSummary } from '@switchboard/condition-types';

import { CommandDefinition, LoadResult } from './types';

/** The shapes of `GET /api/v1/commands`, defined once in the wire contract. */
export type PublicCommand = CommandSummary;
export type PublicProblem = CommandProblem;

export interface PublicCommands {
  commands: PublicCommand[];
  problems: PublicProblem[];
}

/**
 * What any client may see of the commands: no script paths and no absolute file names, but
 * enough of each problem to fix it (file relative to `dir`, line, message).
 */
export function toPublicView(result: LoadResult, dir: string): PublicCommands {
  const root = path.resolve(dir);
  return {
    commands: [...result.commands.values()].map(publicCommand),
    problems: result.problems.map(({ command, file, line, message }) => ({
      command,
      file: path.relative(root, file) || '.',
      ...(line === undefined ? {} : { line }),
      message,
    })),
  };
}

function publicCommand(command: CommandDefinition): PublicCommand {
  const view: PublicCommand = {
    name: command.name,
    summary: command.summary,
    description: command.description,
    has_context: command.hasContext,
    timeout_seconds: command.timeoutMs / 1000,
    concurrent: command.concurrent,
    ranks: [...command.scripts.keys()].sort(),
  };
  if (command.syntax !== undefined) view.syntax = command.syntax;
  if (command.confirmation !== undefined) view.confirmation = command.confirmation;
  return view;
}

/**
 * The confirmation question with its `%{nodes}` filled in; undefined when the command asks none.
 */
export function confirmationFor(command: CommandDefinition, nodes: string): string | undefined {
  return command.confirmation?.replaceAll('%{nodes}', nodes);
}

import { Controller, Get, Param } from '@nestjs/common';
import { ActionParameters, CommandSummary, CommandsResponse } from '@switchboard/condition-types';
import { Scopes } from '../auth/decorators';
import { ApiError } from '../errors/api-error';
import { clip, quote } from '../text/clip';
import { Audit } from '../logging/audit';
import { Documented } from '../openapi/answers';
import { Params } from '../openapi/parameters';
import { ZodPipe } from '../validation/zod-pipe';
import { CommandsCatalog, NO_COMMANDS_DIR, describeProblem } from './commands-catalog';

/**
 * A command name as an action names it: the same rule, so a name this route refuses no action could
 * use.
 */
const namePipe = new ZodPipe(ActionParameters.shape.command, { source: { param: 'name' } });

/** GET /api/v1/commands: what actions can run, and why the broken commands cannot. */
@Controller('commands')
export class CommandsController {
  constructor(private readonly catalog: CommandsCatalog) {}

  @Get()
  @Scopes('read')
  @Audit((answer: CommandsResponse) => ({
    commands: answer.commands.length,
    problems: answer.problems.length,
  }))
  @Documented(
    'listCommands',
    'The commands actions can run, and the problems of those that cannot',
    { 200: { description: 'Commands and problems.', schema: 'CommandsResponse' } },
    {
      description:
        'Without a commands directory (COMMANDS_DIR) the lists are empty and the message says ' +
        'so. Problem files are relative to the directory.',
    },
  )
  list(): CommandsResponse {
    return this.catalog.list();
  }

  @Get(':name')
  @Scopes('read')
  @Params.command()
  @Documented('getCommand', 'One command', {
    200: { description: 'The command.', schema: 'CommandSummary' },
    404: 'No such command, or it is broken (the message lists its problems, file:line: message).',
  })
  one(@Param('name', namePipe) name: string): CommandSummary {
    const found = this.catalog.lookup(name);
    switch (found.status) {
      case 'ok':
      case 'builtin':
        return found.summary;
      case 'unconfigured':
        throw ApiError.notFound(
          `unknown command ${quote(name)}: ${NO_COMMANDS_DIR}`,
          'unknown_command',
        );
      case 'unknown':
        throw ApiError.notFound(
          `unknown command ${quote(name)}: not in the commands directory`,
          'unknown_command',
        );
      case 'broken':
        // Not loaded means not runnable: 404 like an unknown name, with what to fix.
        throw ApiError.notFound(
          `command ${quote(name)} is broken and not loaded: ` +
            `${clip(found.problems.map(describeProblem).join('; '), 1000)}`,
          'unknown_command',
        );
    }
  }
}

import { Controller, Get, Param, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ActionParameters, CommandSummary, CommandsResponse } from '@switchboard/condition-types';
import { Scopes } from '../auth/decorators';
import { ApiError, clip, quote } from '../errors/api-error';
import { noteRequest } from '../logging/request-log';
import { ZodPipe } from '../validation/zod-pipe';
import { CommandsCatalog, NO_COMMANDS_DIR, describeProblem } from './commands-catalog';

/** A command name as an action names it: the same rule, so a name this route refuses no action could use. */
const namePipe = new ZodPipe(ActionParameters.shape.command, { source: { param: 'name' } });

/** GET /api/v1/commands: what actions can run, and why the broken commands cannot. */
@Controller('commands')
export class CommandsController {
  constructor(private readonly catalog: CommandsCatalog) {}

  @Get()
  @Scopes('read')
  list(@Req() request: FastifyRequest): CommandsResponse {
    const answer = this.catalog.list();
    noteRequest(request, { commands: answer.commands.length, problems: answer.problems.length });
    return answer;
  }

  @Get(':name')
  @Scopes('read')
  one(@Req() request: FastifyRequest, @Param('name', namePipe) name: string): CommandSummary {
    noteRequest(request, { action: name });
    const found = this.catalog.lookup(name);
    switch (found.status) {
      case 'ok':
        return found.summary;
      case 'unconfigured':
        throw ApiError.notFound(`unknown command ${quote(name)}: ${NO_COMMANDS_DIR}`);
      case 'unknown':
        throw ApiError.notFound(`unknown command ${quote(name)}: not in the commands directory`);
      case 'broken':
        // Not loaded means not runnable: 404 like an unknown name, with what to fix.
        throw ApiError.notFound(
          `command ${quote(name)} is broken and not loaded: ${clip(found.problems.map(describeProblem).join('; '), 1000)}`,
        );
    }
  }
}

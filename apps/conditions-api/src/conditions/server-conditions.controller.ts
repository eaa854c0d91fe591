import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import {
  ConditionKind,
  CreateConditionBody,
  ServerConditionsResponse,
} from '@switchboard/condition-types';
import { ActsOnServer, Scopes } from '../auth/decorators';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { clip } from '../errors/api-error';
import { actionOf } from '../logging/action-of';
import { noteRequest } from '../logging/request-log';
import { RateLimited } from '../rate-limit/rate-limited.decorator';
import { ZodPipe } from '../validation/zod-pipe';
import { ConditionsService, serverConditions } from './conditions.service';

const kindPipe = new ZodPipe(ConditionKind, { source: { param: 'kind' } });

/** FlipFlop/conditionorc's per-server routes: create a condition, read the latest one. */
@Controller('servers/:server')
@ActsOnServer('server')
export class ServerConditionsController {
  constructor(private readonly conditions: ConditionsService) {}

  @Post('condition/:kind')
  @HttpCode(200)
  @Scopes('write')
  @RateLimited()
  async create(
    @Req() request: FastifyRequest,
    @CurrentPrincipal() principal: Principal,
    @Param('server') server: string,
    @Param('kind', kindPipe) kind: ConditionKind,
    @Body(new ZodPipe(CreateConditionBody)) body: CreateConditionBody,
  ): Promise<ServerConditionsResponse> {
    noteRequest(request, { servers: clip(server, 100), kind });
    // body.exclusive (FlipFlop's legacy flag) is ignored: whether a condition claims its server is the command's
    // metadata to say (`concurrent`), never the caller's.
    const condition = await this.conditions.createForServer(
      server,
      kind,
      body.parameters,
      principal.subject,
    );
    noteRequest(request, {
      servers: condition.target,
      action: actionOf(condition.kind, condition.parameters),
      conditionId: condition.id,
      outcome: 'accepted',
    });
    return serverConditions('condition set', condition.target, condition);
  }

  @Get('condition/:kind')
  @Scopes('read')
  async readKind(
    @Req() request: FastifyRequest,
    @Param('server') server: string,
    @Param('kind', kindPipe) kind: ConditionKind,
  ): Promise<ServerConditionsResponse> {
    noteRequest(request, { servers: clip(server, 100), kind });
    const found = await this.conditions.latestOfKind(server, kind);
    noteRequest(request, {
      servers: found.server.name,
      conditionId: found.condition.id,
      outcome: found.condition.state,
    });
    return serverConditions(
      `${kind} condition ${found.condition.state}`,
      found.server.name,
      found.condition,
    );
  }

  @Get('status')
  @Scopes('read')
  async status(
    @Req() request: FastifyRequest,
    @Param('server') server: string,
  ): Promise<ServerConditionsResponse> {
    noteRequest(request, { servers: clip(server, 100) });
    const found = await this.conditions.latestFor(server);
    noteRequest(request, {
      servers: found.server.name,
      kind: found.condition.kind,
      conditionId: found.condition.id,
      outcome: found.condition.state,
    });
    return serverConditions(
      `${found.condition.kind} condition ${found.condition.state}`,
      found.server.name,
      found.condition,
    );
  }
}

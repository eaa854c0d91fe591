import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ConditionKind, CreateConditionBody, ServerConditionsResponse } from '@switchboard/condition-types';
import { AuthService } from '../auth/auth.service';
import { clip } from '../errors/api-error';
import { noteRequest } from '../logging/request-log';
import { ZodPipe } from '../validation/zod-pipe';
import { ConditionsService, serverConditions } from './conditions.service';

const kindPipe = new ZodPipe(ConditionKind, { source: { param: 'kind' } });

/** FlipFlop/conditionorc's per-server routes: create a condition, read the latest one. */
@Controller('servers/:server')
export class ServerConditionsController {
  constructor(
    private readonly conditions: ConditionsService,
    private readonly auth: AuthService,
  ) {}

  @Post('condition/:kind')
  @HttpCode(200)
  async create(
    @Req() request: FastifyRequest,
    @Param('server') server: string,
    @Param('kind', kindPipe) kind: ConditionKind,
    @Body(new ZodPipe(CreateConditionBody)) body: CreateConditionBody,
  ): Promise<ServerConditionsResponse> {
    const requestedBy = this.auth.subjectFor(request);
    noteRequest(request, { server: clip(server, 100), kind, requestedBy });
    // body.exclusive (FlipFlop's legacy flag) is ignored: every condition holds its server exclusively.
    const condition = await this.conditions.createForServer(server, kind, body.parameters, requestedBy);
    noteRequest(request, { server: condition.target, conditionId: condition.id, outcome: 'accepted' });
    return serverConditions('condition set', condition.target, condition);
  }

  @Get('condition/:kind')
  async readKind(@Req() request: FastifyRequest, @Param('server') server: string, @Param('kind', kindPipe) kind: ConditionKind): Promise<ServerConditionsResponse> {
    noteRequest(request, { server: clip(server, 100), kind });
    const found = await this.conditions.latestOfKind(server, kind);
    noteRequest(request, { server: found.server.name, conditionId: found.condition.id, outcome: found.condition.state });
    return serverConditions(`${kind} condition ${found.condition.state}`, found.server.name, found.condition);
  }

  @Get('status')
  async status(@Req() request: FastifyRequest, @Param('server') server: string): Promise<ServerConditionsResponse> {
    noteRequest(request, { server: clip(server, 100) });
    const found = await this.conditions.latestFor(server);
    noteRequest(request, { server: found.server.name, kind: found.condition.kind, conditionId: found.condition.id, outcome: found.condition.state });
    return serverConditions(`${found.condition.kind} condition ${found.condition.state}`, found.server.name, found.condition);
  }
}

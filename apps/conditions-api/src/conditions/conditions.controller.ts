import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Condition, ConditionWaitQuery, isFinal } from '@switchboard/condition-types';
import { Scopes } from '../auth/decorators';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ServerAccess } from '../auth/server-access';
import { noteRequest } from '../logging/request-log';
import { ConditionId } from '../validation/condition-id';
import { ZodPipe } from '../validation/zod-pipe';
import { ConditionsService } from './conditions.service';

/** GET /api/v1/conditions/{id}: one condition record; with `?wait=<ms>`, once it is final (long poll). */
@Controller('conditions')
export class ConditionsController {
  constructor(
    private readonly conditions: ConditionsService,
    private readonly access: ServerAccess,
  ) {}

  @Get(':id')
  @Scopes('read')
  async get(
    @Req() request: FastifyRequest,
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ZodPipe(ConditionId, { source: { param: 'id' } })) id: string,
    @Query('wait', new ZodPipe(ConditionWaitQuery, { source: { param: 'wait' } }))
    waitMs: number | undefined,
  ): Promise<Condition> {
    noteRequest(request, { conditionId: id });
    // Read first, even to wait: the target decides whether this token may see the condition at all.
    let condition = await this.conditions.get(id);
    noteRequest(request, { servers: condition.target, kind: condition.kind });
    this.access.requireServer(principal, condition.target);
    if (waitMs && !isFinal(condition.state))
      condition = await this.conditions.waitUntilFinal(id, waitMs);
    noteRequest(request, { outcome: condition.state });
    return condition;
  }
}

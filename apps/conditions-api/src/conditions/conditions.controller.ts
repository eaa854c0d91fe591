import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Condition, ConditionWaitQuery } from '@switchboard/condition-types';
import { noteRequest } from '../logging/request-log';
import { ConditionId } from '../validation/condition-id';
import { ZodPipe } from '../validation/zod-pipe';
import { ConditionsService } from './conditions.service';

/** GET /api/v1/conditions/{id}: one condition record; with `?wait=<ms>`, once it is final (long poll). */
@Controller('conditions')
export class ConditionsController {
  constructor(private readonly conditions: ConditionsService) {}

  @Get(':id')
  async get(
    @Req() request: FastifyRequest,
    @Param('id', new ZodPipe(ConditionId, { source: { param: 'id' } })) id: string,
    @Query('wait', new ZodPipe(ConditionWaitQuery, { source: { param: 'wait' } })) waitMs: number | undefined,
  ): Promise<Condition> {
    noteRequest(request, { conditionId: id });
    const condition = waitMs ? await this.conditions.waitUntilFinal(id, waitMs) : await this.conditions.get(id);
    noteRequest(request, { server: condition.target, kind: condition.kind, outcome: condition.state });
    return condition;
  }
}

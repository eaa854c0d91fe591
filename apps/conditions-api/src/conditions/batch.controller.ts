import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { BatchConditionBody, BatchConditionResponse } from '@switchboard/condition-types';
import { foldNames } from '@switchboard/inventory';
import { Scopes } from '../auth/decorators';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ServerAccess } from '../auth/server-access';
import { clip } from '../errors/api-error';
import { actionOf } from '../logging/action-of';
import { noteRequest } from '../logging/request-log';
import { RateLimited } from '../rate-limit/rate-limited.decorator';
import { ZodPipe } from '../validation/zod-pipe';
import { ConditionsService } from './conditions.service';

/** POST /api/v1/conditions: one condition per server of a range or group expression. */
@Controller('conditions')
export class BatchController {
  constructor(
    private readonly conditions: ConditionsService,
    private readonly access: ServerAccess,
  ) {}

  @Post()
  @HttpCode(200)
  @Scopes('write')
  @RateLimited()
  async create(
    @Req() request: FastifyRequest,
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodPipe(BatchConditionBody)) body: BatchConditionBody,
  ): Promise<BatchConditionResponse> {
    noteRequest(request, { kind: body.kind, targets: clip(body.targets, 200) });
    const plan = this.conditions.planBatch(body);
    const named = [...plan.servers.map((s) => s.name), ...plan.unknown];
    noteRequest(request, {
      servers: clip(foldNames(named), 300),
      action: actionOf(plan.kind, plan.parameters),
    });
    // All or nothing: a token may not create a part of a batch that reaches past its claim.
    this.access.requireAll(principal, named);
    const answer = await this.conditions.createBatch(plan, principal.subject);
    const counts: Record<string, number> = {};
    for (const r of answer.results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
    noteRequest(request, { outcome: 'batch', counts });
    return answer;
  }
}

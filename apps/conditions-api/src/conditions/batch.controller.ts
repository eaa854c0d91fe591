import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { BatchConditionBody, BatchConditionResponse } from '@switchboard/condition-types';
import { AuthService } from '../auth/auth.service';
import { clip } from '../errors/api-error';
import { noteRequest } from '../logging/request-log';
import { ZodPipe } from '../validation/zod-pipe';
import { ConditionsService } from './conditions.service';

/** POST /api/v1/conditions: one condition per server of a range or group expression. */
@Controller('conditions')
export class BatchController {
  constructor(
    private readonly conditions: ConditionsService,
    private readonly auth: AuthService,
  ) {}

  @Post()
  @HttpCode(200)
  async create(@Req() request: FastifyRequest, @Body(new ZodPipe(BatchConditionBody)) body: BatchConditionBody): Promise<BatchConditionResponse> {
    const requestedBy = this.auth.subjectFor(request);
    noteRequest(request, { kind: body.kind, targets: clip(body.targets, 200), requestedBy });
    const answer = await this.conditions.createBatch(body, requestedBy);
    const counts: Record<string, number> = {};
    for (const r of answer.results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
    noteRequest(request, { outcome: 'batch', counts });
    return answer;
  }
}

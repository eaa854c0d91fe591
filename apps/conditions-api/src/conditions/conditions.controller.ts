import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  ApiCondition,
  ConditionId,
  ConditionWaitQuery,
  isFinal,
} from '@switchboard/condition-types';
import { Scopes } from '../auth/decorators';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ServerAccess } from '../auth/server-access';
import { clientGone } from '../http/client-gone';
import { Audit } from '../logging/audit';
import { ZodPipe } from '../validation/zod-pipe';
import { conditionNote } from './audit-notes';
import { ConditionsDocs } from './conditions.docs';
import { ConditionsService } from './conditions.service';
import { WaitLimits } from './wait-limits';

/**
 * GET /api/v1/conditions/{id}: one condition record; with `?wait=<ms>`, once it is final (long
 * poll).
 */
@Controller('conditions')
export class ConditionsController {
  constructor(
    private readonly conditions: ConditionsService,
    private readonly access: ServerAccess,
    private readonly waits: WaitLimits,
  ) {}

  @Get(':id')
  @Scopes('read')
  @Audit(conditionNote)
  @ConditionsDocs.get()
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ZodPipe(ConditionId, { source: { param: 'id' } })) id: string,
    @Query('wait', new ZodPipe(ConditionWaitQuery, { source: { param: 'wait' } }))
    waitMs: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ApiCondition> {
    // Read first, even to wait: the target decides whether this token may see the condition at all.
    const condition = await this.conditions.get(id);
    this.access.requireServer(principal, condition.target);
    if (!waitMs || isFinal(condition.state)) return this.conditions.toWire(condition);
    const release = this.waits.acquire(principal.subject);
    try {
      const gone = clientGone(reply);
      return this.conditions.toWire(await this.conditions.waitUntilFinal(id, waitMs, gone));
    } finally {
      release();
    }
  }
}

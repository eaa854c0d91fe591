import { Controller, Delete, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiCondition, ConditionId } from '@switchboard/condition-types';
import { conditionForCaller } from '../auth/condition-view';
import { Scopes } from '../auth/decorators';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ServerAccess } from '../auth/server-access';
import { Audit } from '../logging/audit';
import { ZodPipe } from '../validation/zod-pipe';
import { conditionNote } from './audit-notes';
import { CancelService } from './cancel.service';
import { ConditionsDocs } from './conditions.docs';
import { ConditionsService } from './conditions.service';

/**
 * DELETE /api/v1/conditions/{id}: cancel. 200 with the condition, now failed, when it was
 * pending; 202 with the condition when it was active and its controller acknowledged (it
 * becomes final when the controller has stopped it); 409 when it cannot be cancelled. A
 * token that may not read shows another subject's action arguments redacted.
 */
@Controller('conditions')
export class CancelController {
  constructor(
    private readonly conditions: ConditionsService,
    private readonly cancels: CancelService,
    private readonly access: ServerAccess,
  ) {}

  @Delete(':id')
  @Scopes('write')
  @Audit((condition: ApiCondition, status) => ({
    ...conditionNote(condition),
    outcome: status === 200 ? 'cancelled' : 'cancel_requested',
  }))
  @ConditionsDocs.cancel()
  async cancel(
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ZodPipe(ConditionId, { source: { param: 'id' } })) id: string,
  ): Promise<ApiCondition> {
    // The target decides whether this token may touch the condition at all.
    const condition = await this.conditions.get(id);
    this.access.requireServer(principal, condition.target);
    const result = await this.cancels.cancel(id, principal.subject);
    void reply.status(result.outcome === 'cancelled' ? 200 : 202);
    return this.conditions.toWire(conditionForCaller(principal, result.condition));
  }
}

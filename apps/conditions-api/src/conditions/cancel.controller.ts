import { Controller, Delete, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Condition } from '@switchboard/condition-types';
import { Scopes } from '../auth/decorators';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ServerAccess } from '../auth/server-access';
import { actionOf } from '../logging/action-of';
import { noteRequest } from '../logging/request-log';
import { ConditionId } from '../validation/condition-id';
import { ZodPipe } from '../validation/zod-pipe';
import { CancelService } from './cancel.service';
import { ConditionsService } from './conditions.service';

/**
 * DELETE /api/v1/conditions/{id}: cancel. 200 with the condition, now failed, when it was
 * pending; 202 with the condition when it was active and its controller acknowledged (it
 * becomes final when the controller has stopped it); 409 when it cannot be cancelled.
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
  async cancel(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ZodPipe(ConditionId, { source: { param: 'id' } })) id: string,
  ): Promise<Condition> {
    noteRequest(request, { conditionId: id });
    // The target decides whether this token may touch the condition at all.
    const condition = await this.conditions.get(id);
    noteRequest(request, {
      servers: condition.target,
      kind: condition.kind,
      action: actionOf(condition.kind, condition.parameters),
    });
    this.access.requireServer(principal, condition.target);
    const result = await this.cancels.cancel(id, principal.subject);
    noteRequest(request, { outcome: result.outcome });
    void reply.status(result.outcome === 'cancelled' ? 200 : 202);
    return result.condition;
  }
}

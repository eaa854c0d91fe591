import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { BatchConditionBody, BatchConditionResponse } from '@switchboard/condition-types';
import { Scopes } from '../auth/decorators';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ServerAccess } from '../auth/server-access';
import { Audit } from '../logging/audit';
import { RateLimited } from '../rate-limit/rate-limited.decorator';
import { ZodPipe } from '../validation/zod-pipe';
import { batchNote } from './audit-notes';
import { ConditionsDocs } from './conditions.docs';
import { ConditionsService } from './conditions.service';
import { IDEMPOTENCY_HEADER, Idempotency } from './idempotency';

/** POST /api/v1/conditions: one condition per server of a range or group expression. */
@Controller('conditions')
export class BatchController {
  constructor(
    private readonly conditions: ConditionsService,
    private readonly access: ServerAccess,
    private readonly idempotency: Idempotency,
  ) {}

  @Post()
  @HttpCode(200)
  @Scopes('write')
  @RateLimited()
  @Audit(batchNote)
  @ConditionsDocs.batch()
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodPipe(BatchConditionBody)) body: BatchConditionBody,
    @Headers(IDEMPOTENCY_HEADER) key?: string,
  ): Promise<BatchConditionResponse> {
    // A restricted token is refused before the targets are expanded: the claim is
    // checked name by name, stopping at the first ones outside it.
    this.access.requireExpression(principal, body.targets);
    const plan = this.conditions.planBatch(body);
    this.conditions.checkFault(body.fault, principal);
    // All or nothing: a token may not create a part of a batch that reaches past its claim.
    this.access.requireAll(principal, [...plan.servers.map((s) => s.name), ...plan.unknown]);
    // A repeat of the key answers the same conditions (per server, created or not).
    const idempotent = await this.idempotency.begin(principal.subject, key, {
      route: 'batch',
      kind: plan.kind,
      parameters: plan.parameters,
      servers: plan.servers.map((s) => s.name),
      unknown: plan.unknown,
    });
    return this.conditions.createBatch(plan, principal.subject, idempotent);
  }
}

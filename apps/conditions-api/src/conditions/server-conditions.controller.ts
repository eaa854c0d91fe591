import { Body, Controller, Get, Headers, HttpCode, Param, Post } from '@nestjs/common';
import {
  ConditionKind,
  CreateConditionBody,
  ServerConditionsResponse,
} from '@switchboard/condition-types';
import { ActsOnServer, Scopes } from '../auth/decorators';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { Audit } from '../logging/audit';
import { RateLimited } from '../rate-limit/rate-limited.decorator';
import { ZodPipe } from '../validation/zod-pipe';
import { serverConditionsNote } from './audit-notes';
import { ConditionsDocs } from './conditions.docs';
import { ConditionsService } from './conditions.service';
import { IDEMPOTENCY_HEADER, Idempotency } from './idempotency';

const kindPipe = new ZodPipe(ConditionKind, { source: { param: 'kind' } });

/** FlipFlop/conditionorc's per-server routes: create a condition, read the latest one. */
@Controller('servers/:server')
@ActsOnServer('server')
export class ServerConditionsController {
  constructor(
    private readonly conditions: ConditionsService,
    private readonly idempotency: Idempotency,
  ) {}

  @Post('condition/:kind')
  @HttpCode(200)
  @Scopes('write')
  @RateLimited()
  @Audit((answer: ServerConditionsResponse) => ({
    ...serverConditionsNote(answer),
    outcome: 'accepted',
  }))
  @ConditionsDocs.create()
  async create(
    @CurrentPrincipal() principal: Principal,
    @Param('server') server: string,
    @Param('kind', kindPipe) kind: ConditionKind,
    @Body(new ZodPipe(CreateConditionBody)) body: CreateConditionBody,
    @Headers(IDEMPOTENCY_HEADER) key?: string,
  ): Promise<ServerConditionsResponse> {
    // body.exclusive (FlipFlop's legacy flag) is ignored: whether a condition claims its server
    // is the command's metadata to say (`concurrent`), never the caller's.
    const condition = await this.conditions.createForServer(
      server,
      kind,
      body,
      principal,
      (entry, parameters) =>
        this.idempotency.begin(principal.subject, key, {
          route: 'server',
          server: entry.name,
          kind,
          parameters,
        }),
    );
    return this.conditions.serverConditions('condition set', condition);
  }

  @Get('condition/:kind')
  @Scopes('read')
  @Audit(serverConditionsNote)
  @ConditionsDocs.readKind()
  async readKind(
    @Param('server') server: string,
    @Param('kind', kindPipe) kind: ConditionKind,
  ): Promise<ServerConditionsResponse> {
    const found = await this.conditions.latestOfKind(server, kind);
    return this.conditions.serverConditions(
      `${kind} condition ${found.condition.state}`,
      found.condition,
    );
  }

  @Get('status')
  @Scopes('read')
  @Audit(serverConditionsNote)
  @ConditionsDocs.status()
  async status(@Param('server') server: string): Promise<ServerConditionsResponse> {
    const found = await this.conditions.latestFor(server);
    return this.conditions.serverConditions(
      `${found.condition.kind} condition ${found.condition.state}`,
      found.condition,
    );
  }
}

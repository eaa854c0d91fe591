import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConditionWaitQuery, OutcomeLine, isFinal } from '@switchboard/condition-types';
import { foldNames } from '@switchboard/inventory';
import { Scopes } from '../auth/decorators';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ServerAccess } from '../auth/server-access';
import { Shutdown } from '../core/shutdown';
import { CONTENT_TYPES, StreamAnswer } from '../streaming/stream-answer';
import { clip } from '../text/clip';
import { parseConditionIds } from '../validation/condition-ids-query';
import { ZodPipe } from '../validation/zod-pipe';
import { ConditionsDocs } from './conditions.docs';
import { ConditionsService } from './conditions.service';
import { WaitLimits } from './wait-limits';

const waitPipe = new ZodPipe(ConditionWaitQuery, { source: { param: 'wait' } });

/**
 * GET /api/v1/outcomes?ids=...&wait=<ms>: many conditions in one answer, NDJSON of
 * `OutcomeLine`, each line sent as soon as its condition is final (or, when the wait runs
 * out, as it stands). What `mctl` waits on: one request for a whole batch instead of a long
 * poll per server, which cost the API and the client more CPU than the batch itself.
 */
@Controller('outcomes')
export class OutcomesController {
  constructor(
    private readonly conditions: ConditionsService,
    private readonly access: ServerAccess,
    private readonly shutdown: Shutdown,
    private readonly waits: WaitLimits,
  ) {}

  @Get()
  @Scopes('read')
  @ConditionsDocs.outcomes()
  async follow(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @CurrentPrincipal() principal: Principal,
    @Query('ids') rawIds: unknown,
    @Query('wait', waitPipe) waitMs: number | undefined,
  ): Promise<void> {
    const ids = parseConditionIds(rawIds);
    // Counted from before the reads: 1,024 of them are most of what a wait costs.
    const release = this.waits.acquire(principal.subject);
    try {
      await this.answer(request, reply, principal, ids, waitMs);
    } finally {
      release();
    }
  }

  private async answer(
    request: FastifyRequest,
    reply: FastifyReply,
    principal: Principal,
    ids: string[],
    waitMs: number | undefined,
  ): Promise<void> {
    // Read first, even to wait: the targets decide whether this token may see them at all.
    const following = await this.conditions.follow(ids, waitMs ?? 0);
    try {
      const current = following.current;
      const servers = [...new Set([...current.values()].flatMap((c) => (c ? [c.target] : [])))];
      // All or nothing, as for a batch: a token may not follow part of what it asked for.
      this.access.requireAll(principal, servers);

      const answer = new StreamAnswer(request, reply, {
        contentType: CONTENT_TYPES.ndjson,
        stopping: () => this.shutdown.started,
      });
      let final = 0;
      for await (const { id, condition } of following.outcomes(answer.left)) {
        if (condition && isFinal(condition.state)) final++;
        const line: OutcomeLine = { id, condition: condition && this.conditions.toWire(condition) };
        await answer.write(`${JSON.stringify(line)}\n`);
      }
      answer.end(
        {
          servers: clip(foldNames(servers), 300),
          outcome: answer.left.aborted ? 'disconnected' : `${final} of ${ids.length} final`,
        },
        true,
      );
    } finally {
      following.stop();
    }
  }
}

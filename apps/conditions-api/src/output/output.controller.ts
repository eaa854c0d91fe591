import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Condition, ConditionId } from '@switchboard/condition-types';
import { foldNames } from '@switchboard/inventory';
import { Scopes } from '../auth/decorators';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ServerAccess } from '../auth/server-access';
import { Shutdown } from '../core/shutdown';
import { CONTENT_TYPES, StreamAnswer } from '../streaming/stream-answer';
import { clip } from '../text/clip';
import { parseConditionIds } from '../validation/condition-ids-query';
import { ZodPipe } from '../validation/zod-pipe';
import { outputFormat } from './output-format';
import { OutputDocs } from './output.docs';
import { DEFAULT_OUTPUT_TIMEOUT_S, OutputTimeoutQuery } from './output-query';
import { OutputService } from './output.service';

const idPipe = new ZodPipe(ConditionId, { source: { param: 'id' } });
const timeoutPipe = new ZodPipe(OutputTimeoutQuery, { source: { param: 'timeout' } });

/**
 * Live output of action conditions, from their first line, ending once they are final and
 * every line has been sent (or at `?timeout=`, 1 h unless given, 24 h at most). Plain text,
 * or NDJSON of `OutputLine` with `Accept: application/x-ndjson`.
 */
@Controller()
export class OutputController {
  constructor(
    private readonly output: OutputService,
    private readonly access: ServerAccess,
    private readonly shutdown: Shutdown,
  ) {}

  /** GET /api/v1/conditions/{id}/output: one condition's lines as printed. */
  @Get('conditions/:id/output')
  @Scopes('read')
  @OutputDocs.one()
  async one(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @CurrentPrincipal() principal: Principal,
    @Param('id', idPipe) id: string,
    @Query('timeout', timeoutPipe) timeoutS: number | undefined,
  ): Promise<void> {
    const [condition] = await this.output.read([id]);
    this.access.requireServer(principal, condition.target);
    await this.send(request, reply, principal, [condition], false, timeoutS);
  }

  /**
   * GET /api/v1/output?ids=...: several conditions interleaved as they print, each text line after
   * `server: `.
   */
  @Get('output')
  @Scopes('read')
  @OutputDocs.many()
  async many(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @CurrentPrincipal() principal: Principal,
    @Query('ids') rawIds: unknown,
    @Query('timeout', timeoutPipe) timeoutS: number | undefined,
  ): Promise<void> {
    const conditions = await this.output.read(parseConditionIds(rawIds));
    // All or nothing, as for a batch: a token may not follow part of what it asked for.
    this.access.requireAll(principal, [...new Set(conditions.map((c) => c.target))]);
    await this.send(request, reply, principal, conditions, true, timeoutS);
  }

  private async send(
    request: FastifyRequest,
    reply: FastifyReply,
    principal: Principal,
    conditions: Condition[],
    prefixed: boolean,
    timeoutS: number | undefined,
  ): Promise<void> {
    const format = outputFormat(request.headers.accept);
    const run = await this.output.follow(
      conditions.map((c) => ({ id: c.id, server: c.target })),
      principal.subject,
    );
    const answer = new StreamAnswer(request, reply, {
      contentType: CONTENT_TYPES[format],
      onGone: () => run.stop(),
      stopping: () => this.shutdown.started,
    });
    const end = await run.send((text) => answer.write(text), {
      format,
      prefixed,
      timeoutMs: (timeoutS ?? DEFAULT_OUTPUT_TIMEOUT_S) * 1000,
    });
    const { lines, skipped } = run.stats;
    answer.end(
      {
        servers: clip(foldNames(new Set(conditions.map((c) => c.target))), 300),
        format,
        outcome: end,
        lines,
        ...(skipped > 0 ? { skipped } : {}),
      },
      end === 'complete' || end === 'timeout',
    );
  }
}

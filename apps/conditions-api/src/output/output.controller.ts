import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Condition } from '@switchboard/condition-types';
import { foldNames } from '@switchboard/inventory';
import { Scopes } from '../auth/decorators';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ServerAccess } from '../auth/server-access';
import { clip } from '../errors/api-error';
import { noteRequest } from '../logging/request-log';
import { ConditionId } from '../validation/condition-id';
import { ZodPipe } from '../validation/zod-pipe';
import { CONTENT_TYPES, outputFormat } from './output-format';
import { parseConditionIds } from '../validation/condition-ids-query';
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
  ) {}

  /** GET /api/v1/conditions/{id}/output: one condition's lines as printed. */
  @Get('conditions/:id/output')
  @Scopes('read')
  async one(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @CurrentPrincipal() principal: Principal,
    @Param('id', idPipe) id: string,
    @Query('timeout', timeoutPipe) timeoutS: number | undefined,
  ): Promise<void> {
    noteRequest(request, { conditionId: id });
    const [condition] = await this.output.read([id]);
    noteRequest(request, { servers: condition.target, kind: condition.kind });
    this.access.requireServer(principal, condition.target);
    await this.send(request, reply, principal, [condition], false, timeoutS);
  }

  /** GET /api/v1/output?ids=...: several conditions interleaved as they print, each text line after `server: `. */
  @Get('output')
  @Scopes('read')
  async many(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @CurrentPrincipal() principal: Principal,
    @Query('ids') rawIds: unknown,
    @Query('timeout', timeoutPipe) timeoutS: number | undefined,
  ): Promise<void> {
    const ids = parseConditionIds(rawIds);
    noteRequest(request, { conditions: ids.length });
    const conditions = await this.output.read(ids);
    const servers = [...new Set(conditions.map((c) => c.target))];
    noteRequest(request, { servers: clip(foldNames(servers), 300) });
    // All or nothing, as for a batch: a token may not follow part of what it asked for.
    this.access.requireAll(principal, servers);
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
    noteRequest(request, { format });
    const body = await this.output.stream(
      conditions.map((c) => ({ id: c.id, server: c.target })),
      {
        subject: principal.subject,
        format,
        prefixed,
        timeoutMs: (timeoutS ?? DEFAULT_OUTPUT_TIMEOUT_S) * 1000,
        onEnd: (end, stats) =>
          noteRequest(request, {
            outcome: end,
            lines: stats.lines,
            ...(stats.skipped > 0 ? { skipped: stats.skipped } : {}),
          }),
      },
    );
    // Fastify writes a streamed answer's head with its first chunk; a client waiting for a
    // condition that has printed nothing yet should still learn at once that it was accepted.
    // The body is resumed only once Fastify has set every header and piped it.
    body.once('resume', () => reply.raw.flushHeaders());
    void reply
      .status(200)
      .header('content-type', CONTENT_TYPES[format])
      // Live data: no cache or proxy should hold it back or keep it.
      .header('cache-control', 'no-store')
      .header('x-accel-buffering', 'no')
      .header('x-content-type-options', 'nosniff')
      .send(body);
  }
}

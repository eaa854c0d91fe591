import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { PassThrough } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConditionWaitQuery, isFinal } from '@switchboard/condition-types';
import { foldNames } from '@switchboard/inventory';
import { Scopes } from '../auth/decorators';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ServerAccess } from '../auth/server-access';
import { clip } from '../errors/api-error';
import { noteRequest } from '../logging/request-log';
import { CONTENT_TYPES } from '../output/output-format';
import { parseConditionIds } from '../validation/condition-ids-query';
import { ZodPipe } from '../validation/zod-pipe';
import { ConditionsService } from './conditions.service';

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
  ) {}

  @Get()
  @Scopes('read')
  async follow(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @CurrentPrincipal() principal: Principal,
    @Query('ids') rawIds: unknown,
    @Query('wait', waitPipe) waitMs: number | undefined,
  ): Promise<void> {
    const ids = parseConditionIds(rawIds);
    noteRequest(request, { conditions: ids.length });
    // Read first, even to wait: the targets decide whether this token may see them at all.
    const current = await this.conditions.getMany(ids);
    const servers = [...new Set([...current.values()].flatMap((c) => (c ? [c.target] : [])))];
    noteRequest(request, { servers: clip(foldNames(servers), 300) });
    // All or nothing, as for a batch: a token may not follow part of what it asked for.
    this.access.requireAll(principal, servers);

    const body = new PassThrough();
    // Fastify destroys the body when the client goes away; 'close' also follows a normal end.
    const left = new AbortController();
    body.once('close', () => left.abort());
    // A client waiting on conditions none of which is final yet should still learn at once
    // that the request was accepted (Fastify writes the head with the first chunk otherwise).
    body.once('resume', () => reply.raw.flushHeaders());
    void reply
      .status(200)
      .header('content-type', CONTENT_TYPES.ndjson)
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .send(body);

    let final = 0;
    await this.conditions.followOutcomes(current, waitMs ?? 0, left.signal, (line) => {
      if (line.condition && isFinal(line.condition.state)) final++;
      body.write(`${JSON.stringify(line)}\n`);
    });
    noteRequest(request, {
      outcome: left.signal.aborted ? 'disconnected' : `${final} of ${ids.length} final`,
    });
    if (this.conditions.shuttingDown) {
      // The head went out before shutdown began, so it promised keep-alive; a kept-alive
      // connection would hold the server's close until its idle timeout (72 s).
      reply.raw.once('finish', () => request.raw.socket.end());
    }
    body.end();
  }
}

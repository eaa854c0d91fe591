import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable, tap } from 'rxjs';
import { clip } from '../text/clip';
import { actionOf } from './action-of';
import { AUDIT_DESCRIBER, Describer } from './audit';
import { RequestNote, noteRequest } from './request-log';

const text = (value: unknown): value is string => typeof value === 'string';

/** What a request says about itself, before anything is checked: its target, kind and action. */
export function describeRequest(request: FastifyRequest): RequestNote {
  const params = (request.params ?? {}) as Record<string, unknown>;
  const body = (request.body ?? {}) as Record<string, unknown>;
  const query = (request.query ?? {}) as Record<string, unknown>;
  const note: RequestNote = {};
  if (text(params.server)) note.servers = clip(params.server, 100);
  if (text(params.id)) note.conditionId = clip(params.id, 100);
  if (text(params.kind)) note.kind = clip(params.kind, 50);
  if (text(params.name)) note.action = clip(params.name, 100);
  if (text(body.kind)) note.kind = clip(body.kind, 50);
  if (text(body.targets)) note.targets = clip(body.targets, 200);
  const action = actionOf(body.parameters);
  if (action !== undefined) note.action = clip(action, 200);
  if (query.ids !== undefined) {
    const ids = (Array.isArray(query.ids) ? query.ids : [query.ids]).filter(text);
    note.conditions = new Set(ids.flatMap((v) => v.split(',')).filter((id) => id !== '')).size;
  }
  return note;
}

/**
 * The audit line's content, so that handlers do not write it: the request's own fields
 * before the handler runs (a refusal names its target too), and what the route's `@Audit`
 * describer makes of the answer after.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    noteRequest(request, describeRequest(request));
    const describe = this.reflector.get<Describer<unknown> | undefined>(
      AUDIT_DESCRIBER,
      context.getHandler(),
    );
    if (!describe) return next.handle();
    return next
      .handle()
      .pipe(tap((answer) => noteRequest(request, describe(answer, reply.statusCode))));
  }
}

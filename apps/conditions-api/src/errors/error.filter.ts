import { isConditionId } from '@switchboard/condition-types';
import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  NotFoundException,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorResponse } from '@switchboard/condition-types';
import { ConflictError, QueueUnavailableError } from '@switchboard/condition-store';
import type { Logger } from '@switchboard/logging';
import { noteRequest } from '../logging/request-log';
import { isNatsUnavailable } from '../nats/nats-errors';
import { ApiError, errorBody } from './api-error';
import { clip } from '../text/clip';

function httpExceptionMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/** Status of an error raised by Fastify itself (body too large, bad JSON, bad URL...). */
function frameworkStatus(err: unknown): number | undefined {
  if (!(err instanceof Error)) return undefined;
  const status =
    (err as { statusCode?: unknown; status?: unknown }).statusCode ??
    (err as { status?: unknown }).status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/** conditionorc's answer to a route it does not have (internal/server/server.go). */
export const UNKNOWN_ROUTE_MESSAGE = 'invalid request - route not found';

/** Every failure as an `ErrorResponse`; anything not recognised is a 500 without details. */
export function toErrorResponse(exception: unknown): ErrorResponse {
  if (exception instanceof ApiError) return exception.body;
  if (exception instanceof ConflictError) {
    return errorBody(409, exception.message, {
      code: 'server_busy',
      ...(isConditionId(exception.conditionId) ? { conditionId: exception.conditionId } : {}),
    });
  }
  if (exception instanceof QueueUnavailableError)
    return errorBody(503, `condition queue unavailable: ${exception.message}`);
  if (isNatsUnavailable(exception))
    return errorBody(503, clip(`NATS did not answer: ${exception.message}`));
  // Nest's answer to a path no route matches: conditionorc's message, so its clients read it.
  if (exception instanceof NotFoundException && !(exception instanceof ApiError))
    return errorBody(404, UNKNOWN_ROUTE_MESSAGE, { code: 'unknown_route' });
  if (exception instanceof HttpException)
    return errorBody(exception.getStatus(), clip(httpExceptionMessage(exception)));
  const status = frameworkStatus(exception);
  if (status !== undefined) return errorBody(status, clip((exception as Error).message));
  return errorBody(500, 'internal error; see the API log');
}

/** The audit log's `outcome` of each refusal. */
const outcomes: Record<number, string> = {
  400: 'invalid',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'too_large',
  414: 'too_long',
  415: 'unsupported_type',
  429: 'rate_limited',
  503: 'unavailable',
};

/** The one place an error becomes an answer: every error answer has the `ErrorResponse` shape. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(private readonly log: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const body = toErrorResponse(exception);
    if (body.statusCode === 500) {
      this.log.error(
        { event: 'http.unexpected_error', err: exception },
        'unexpected error answering a request',
      );
    }
    noteRequest(request, {
      ...(exception instanceof ApiError ? exception.audit : {}),
      outcome: outcomes[body.statusCode] ?? 'error',
      reason: clip(body.message, 300),
      ...(body.conditionId ? { conflictingConditionId: body.conditionId } : {}),
    });
    sendError(reply, body);
  }
}

export function sendError(reply: FastifyReply, body: ErrorResponse): void {
  if (reply.sent) return;
  void reply
    .status(body.statusCode)
    .header('content-type', 'application/json; charset=utf-8')
    .send(body);
}

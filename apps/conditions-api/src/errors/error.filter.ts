import { isConditionId } from '@switchboard/condition-types';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorResponse } from '@switchboard/condition-types';
import { ConflictError, QueueUnavailableError } from '@switchboard/condition-store';
import type { Logger } from '@switchboard/logging';
import { noteRequest } from '../logging/request-log';
import { isNatsUnavailable } from '../nats/nats-errors';
import { ApiError, reasonPhrase } from './api-error';
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

/** Every failure as an `ErrorResponse`; anything not recognised is a 500 without details. */
export function toErrorResponse(exception: unknown): ErrorResponse {
  if (exception instanceof ApiError) return exception.body;
  if (exception instanceof ConflictError) {
    return {
      statusCode: 409,
      error: reasonPhrase(409),
      message: exception.message,
      ...(isConditionId(exception.conditionId) ? { conditionId: exception.conditionId } : {}),
    };
  }
  if (exception instanceof QueueUnavailableError) {
    return {
      statusCode: 503,
      error: reasonPhrase(503),
      message: `condition queue unavailable: ${exception.message}`,
    };
  }
  if (isNatsUnavailable(exception)) {
    return {
      statusCode: 503,
      error: reasonPhrase(503),
      message: clip(`NATS did not answer: ${exception.message}`),
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return {
      statusCode: status,
      error: reasonPhrase(status),
      message: clip(httpExceptionMessage(exception)),
    };
  }
  const status = frameworkStatus(exception);
  if (status !== undefined) {
    return {
      statusCode: status,
      error: reasonPhrase(status),
      message: clip((exception as Error).message),
    };
  }
  return { statusCode: 500, error: reasonPhrase(500), message: 'internal error; see the API log' };
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

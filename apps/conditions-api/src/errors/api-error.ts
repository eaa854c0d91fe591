import { STATUS_CODES } from 'node:http';
import { HttpException } from '@nestjs/common';
import type { ErrorResponse } from '@switchboard/condition-types';

export type FieldIssue = NonNullable<ErrorResponse['issues']>[number];

/** Longest message or echoed value we put in an answer or a log line. */
const MAX_TEXT = 500;

/** Shortens user-supplied text (a 5000-character path segment) before it is echoed back. */
export function clip(text: string, max = MAX_TEXT): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

/** A user-supplied value quoted for a message: clipped, control characters escaped. */
export function quote(value: string, max = 100): string {
  return JSON.stringify(clip(value, max));
}

export function reasonPhrase(statusCode: number): string {
  return STATUS_CODES[statusCode] ?? 'Error';
}

/** An error that already knows its answer: an `ErrorResponse` and its status. */
export class ApiError extends HttpException {
  constructor(readonly body: ErrorResponse) {
    super(body, body.statusCode);
  }

  static of(
    statusCode: number,
    message: string,
    extra: Pick<ErrorResponse, 'issues' | 'conditionId'> = {},
  ): ApiError {
    return new ApiError({
      statusCode,
      error: reasonPhrase(statusCode),
      message: clip(message, 2000),
      ...extra,
    });
  }

  static badRequest(message: string, issues?: FieldIssue[]): ApiError {
    return ApiError.of(400, message, issues ? { issues } : {});
  }

  static notFound(message: string): ApiError {
    return ApiError.of(404, message);
  }
}

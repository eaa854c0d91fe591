import { STATUS_CODES } from 'node:http';
import { HttpException } from '@nestjs/common';
import type { ErrorResponse } from '@switchboard/condition-types';
import type { RequestNote } from '../logging/request-log';
import { clip } from '../text/clip';

export type FieldIssue = NonNullable<ErrorResponse['issues']>[number];

export function reasonPhrase(statusCode: number): string {
  return STATUS_CODES[statusCode] ?? 'Error';
}

/** An error that already knows its answer: an `ErrorResponse` and its status. */
export class ApiError extends HttpException {
  /** What the refusal was about, for the audit line (the servers a token may not act on). */
  audit: RequestNote = {};

  constructor(readonly body: ErrorResponse) {
    super(body, body.statusCode);
  }

  /** The same error, noting `audit` on the request's audit line. */
  about(audit: RequestNote): this {
    this.audit = { ...this.audit, ...audit };
    return this;
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

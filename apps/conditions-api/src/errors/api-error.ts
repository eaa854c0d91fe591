import { STATUS_CODES } from 'node:http';
import { HttpException } from '@nestjs/common';
import { ErrorCode, ErrorResponse, defaultErrorCode } from '@switchboard/condition-types';
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
    extra: Partial<Pick<ErrorResponse, 'issues' | 'conditionId' | 'code'>> = {},
  ): ApiError {
    return new ApiError(errorBody(statusCode, message, extra));
  }

  static badRequest(message: string, issues?: FieldIssue[], code?: ErrorCode): ApiError {
    return ApiError.of(400, message, { ...(issues ? { issues } : {}), ...(code ? { code } : {}) });
  }

  static notFound(message: string, code: ErrorCode): ApiError {
    return ApiError.of(404, message, { code });
  }
}

/** An `ErrorResponse`: reason phrase, clipped message, a code (the status's unless given). */
export function errorBody(
  statusCode: number,
  message: string,
  extra: Partial<Pick<ErrorResponse, 'issues' | 'conditionId' | 'code'>> = {},
): ErrorResponse {
  return {
    statusCode,
    code: extra.code ?? defaultErrorCode(statusCode),
    error: reasonPhrase(statusCode),
    message: clip(message, 2000),
    ...(extra.issues ? { issues: extra.issues } : {}),
    ...(extra.conditionId ? { conditionId: extra.conditionId } : {}),
  };
}

import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { SchemaName, ref } from './schemas';

type Content = Record<string, { schema: Record<string, unknown> }>;

/** One documented answer: a JSON body of a contract schema, or content of its own (a stream). */
export type Answer = string | { description: string; schema?: SchemaName; content?: Content };

/** The refusals every authenticated route can give. */
export const COMMON_ERRORS = {
  400: 'Invalid path parameter, query or request body; `issues` names each field.',
  401:
    'No bearer token, or one that is malformed, badly signed, expired, not yet valid, not HS256, ' +
    'or without `exp` or `sub`.',
  403:
    'The token lacks the scope this route needs, or its `servers` claim does not cover the ' +
    'server.',
  503: 'NATS is unreachable; nothing was created.',
} as const;

/**
 * An operation's summary and answers, for the document generated from the routes. A plain
 * string is an error answer (`ErrorResponse`); 2xx answers name their schema. `common`
 * adds the refusals every authenticated route can give.
 */
export function Documented(
  operationId: string,
  summary: string,
  answers: Record<number, Answer>,
  options: { description?: string; common?: boolean; security?: [] } = {},
): MethodDecorator {
  const all: Record<number, Answer> = {};
  if (options.common !== false) Object.assign(all, COMMON_ERRORS);
  Object.assign(all, answers);
  return applyDecorators(
    ApiOperation({
      operationId,
      summary,
      description: options.description,
      ...(options.security ? { security: options.security } : {}),
    }),
    ...Object.entries(all).map(([status, answer]) => {
      if (typeof answer === 'string')
        return ApiResponse({
          status: Number(status),
          description: answer,
          schema: ref('ErrorResponse'),
        });
      if (answer.content)
        return ApiResponse({
          status: Number(status),
          description: answer.description,
          content: answer.content,
        });
      return ApiResponse({
        status: Number(status),
        description: answer.description,
        ...(answer.schema ? { schema: ref(answer.schema) } : {}),
      });
    }),
  );
}

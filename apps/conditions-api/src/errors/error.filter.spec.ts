import { BadRequestException, NotFoundException } from '@nestjs/common';
import { TimeoutError } from '@nats-io/nats-core';
import { ErrorResponse } from '@switchboard/condition-types';
import { ConflictError, QueueUnavailableError } from '@switchboard/condition-store';
import { ApiError } from './api-error';
import { toErrorResponse } from './error.filter';

const id = '0b0b9d5e-3c84-4a8e-9f4e-0d6a3b1c2d3e';

describe('toErrorResponse', () => {
  it.each<[string, unknown, Partial<ErrorResponse>, string[]?]>([
    [
      'an ApiError as it is',
      ApiError.badRequest('no', [{ path: 'kind', message: 'bad' }]),
      {
        statusCode: 400,
        error: 'Bad Request',
        message: 'no',
        issues: [{ path: 'kind', message: 'bad' }],
      },
    ],
    [
      'a conflict, naming the condition',
      new ConflictError('node01', id),
      { statusCode: 409, error: 'Conflict', conditionId: id },
    ],
    [
      'a conflict whose holder is unknown, without a conditionId',
      new ConflictError('node01', 'unknown'),
      { statusCode: 409 },
      ['conditionId'],
    ],
    [
      'an unavailable queue',
      new QueueUnavailableError('could not queue condition: timeout'),
      { statusCode: 503, error: 'Service Unavailable' },
    ],
    ['a NATS timeout', new TimeoutError(), { statusCode: 503 }],
    [
      'a Nest HTTP exception',
      new NotFoundException('Cannot GET /x'),
      // An unmatched route: conditionorc's message, so its clients read it.
      { statusCode: 404, code: 'unknown_route', message: 'invalid request - route not found' },
    ],
    [
      'a Nest exception with a list of messages',
      new BadRequestException(['a', 'b']),
      { statusCode: 400, message: 'a; b' },
    ],
    [
      'a Fastify client error',
      Object.assign(new Error('Request body is too large'), { statusCode: 413 }),
      { statusCode: 413, error: 'Payload Too Large' },
    ],
    [
      'anything else, without details',
      new Error('secret internals at /srv/x.js:12'),
      { statusCode: 500, message: 'internal error; see the API log' },
    ],
  ])('maps %s', (_name, exception, expected, absent = []) => {
    const body = toErrorResponse(exception);
    expect(ErrorResponse.parse(body)).toEqual(body);
    expect(body).toMatchObject(expected);
    for (const key of absent) expect(body).not.toHaveProperty(key);
  });
});

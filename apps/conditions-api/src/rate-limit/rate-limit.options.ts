import type { ThrottlerModuleOptions } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { principalOf } from '../auth/principal';
import { quote } from '../text/clip';

/** Condition-creating requests one token subject may make per minute, unless configured. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;
const WINDOW_MS = 60_000;

/**
 * One budget per token subject, shared by both creating routes: the tracker is the
 * subject, and the key leaves out the route, so switching from the per-server route to
 * the batch route buys nothing. The throttler is named `default` so that its headers are
 * plain `Retry-After` and `X-RateLimit-*`. Counts live in this process: each API replica
 * enforces the limit on its own.
 */
export function rateLimitOptions(
  perMinute = DEFAULT_RATE_LIMIT_PER_MINUTE,
): ThrottlerModuleOptions {
  if (!Number.isInteger(perMinute) || perMinute < 1)
    throw new Error(`rateLimitPerMinute must be a whole number above 0, got ${perMinute}`);
  return {
    throttlers: [{ name: 'default', ttl: WINDOW_MS, limit: perMinute }],
    getTracker: (request) => {
      const principal = principalOf(request as FastifyRequest);
      // The auth guard is global and runs first; a route without a principal is a wiring mistake.
      if (!principal) throw new Error('rate limit applied to a request that was not authenticated');
      return principal.subject;
    },
    generateKey: (_context, subject, name) => `${name}:create:${subject}`,
    errorMessage: (_context, detail) =>
      `rate limit exceeded for ${quote(detail.tracker)}: at most ${detail.limit} ` +
      `condition requests per minute; retry in ${detail.timeToBlockExpire} s`,
  };
}

import { UseGuards } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';

/**
 * The route counts against its caller's per-subject budget (see `rateLimitOptions`); over it, 429
 * with Retry-After.
 */
export const RateLimited = () => UseGuards(ThrottlerGuard);

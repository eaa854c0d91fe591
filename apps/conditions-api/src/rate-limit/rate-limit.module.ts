import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type { ApiOptions } from '../core/api-options';
import { API_OPTIONS } from '../core/tokens';
import { rateLimitOptions } from './rate-limit.options';

/** The per-subject budget of condition-creating requests (see `rateLimitOptions`). */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [API_OPTIONS],
      useFactory: (options: ApiOptions) => rateLimitOptions(options.rateLimitPerMinute),
    }),
  ],
  exports: [ThrottlerModule],
})
export class RateLimitModule {}

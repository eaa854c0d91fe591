import { DynamicModule, Global, Module } from '@nestjs/common';
import { createLogger } from '@switchboard/logging';
import type { ApiOptions } from './api-options';
import { Shutdown } from './shutdown';
import { API_OPTIONS, LOGGER } from './tokens';

/** What every feature may take: the API's options, the logger, the shutdown signal. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(options: ApiOptions): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: API_OPTIONS, useValue: options },
        {
          provide: LOGGER,
          useFactory: () => options.logger ?? createLogger('conditions-api'),
        },
        Shutdown,
      ],
      exports: [API_OPTIONS, LOGGER, Shutdown],
    };
  }
}

import { DynamicModule, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuthModule } from './auth/auth.module';
import { CommandsModule } from './commands/commands.module';
import { ConditionorcModule } from './conditionorc/conditionorc.module';
import { ConditionsModule } from './conditions/conditions.module';
import type { ApiOptions } from './core/api-options';
import { CoreModule } from './core/core.module';
import { HealthModule } from './health/health.module';
import { AuditInterceptor } from './logging/audit.interceptor';
import { OutputModule } from './output/output.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { ServersModule } from './servers/servers.module';

/**
 * The API: one module per feature. Nest starts and stops them in dependency order: the
 * token verifier is built first, the inventory and commands load as their modules
 * initialise, NATS connects once everything has (bootstrap); at close, the shutdown signal
 * first, then open streams, HTTP, and NATS and the file watches last.
 */
@Module({})
export class AppModule {
  static forRoot(options: ApiOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(options),
        AuthModule,
        RateLimitModule,
        ConditionsModule,
        OutputModule,
        CommandsModule,
        ServersModule,
        HealthModule,
        ConditionorcModule,
      ],
      // Every route's audit line is filled from the request and the route's `@Audit` describer.
      providers: [{ provide: APP_INTERCEPTOR, useClass: AuditInterceptor }],
    };
  }
}

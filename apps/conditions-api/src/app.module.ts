import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type { Logger } from '@switchboard/logging';
import { AuthGuard } from './auth/auth.guard';
import { ServerAccess } from './auth/server-access';
import { TokenVerifier } from './auth/token-verifier';
import { CommandsCatalog } from './commands/commands-catalog';
import { CommandsController } from './commands/commands.controller';
import { BatchController } from './conditions/batch.controller';
import { CancelController } from './conditions/cancel.controller';
import { CancelService } from './conditions/cancel.service';
import { ConditionsController } from './conditions/conditions.controller';
import { ConditionsService } from './conditions/conditions.service';
import { OutcomesController } from './conditions/outcomes.controller';
import { ServerConditionsController } from './conditions/server-conditions.controller';
import { HealthController } from './health/health.controller';
import { InventoryService } from './inventory/inventory.service';
import { ServersController } from './inventory/servers.controller';
import { NatsLink } from './nats/nats-link';
import { OutputController } from './output/output.controller';
import { OutputService } from './output/output.service';
import { rateLimitOptions } from './rate-limit/rate-limit.options';
import { LOGGER, SHUTDOWN } from './tokens';

/** What exists before Nest starts: the NATS link, the loaded inventory and commands, the logger, the token verifier. */
export interface CoreDeps {
  nats: NatsLink;
  inventory: InventoryService;
  commands: CommandsCatalog;
  logger: Logger;
  verifier: TokenVerifier;
  /** Condition-creating requests per token subject per minute. */
  rateLimitPerMinute: number;
  /** Aborts when the API begins to stop: long waits end at once with what stands. */
  shutdown: AbortSignal;
}

@Global()
@Module({})
export class CoreModule {
  static register(deps: CoreDeps): DynamicModule {
    const providers = [
      { provide: NatsLink, useValue: deps.nats },
      { provide: InventoryService, useValue: deps.inventory },
      { provide: CommandsCatalog, useValue: deps.commands },
      { provide: LOGGER, useValue: deps.logger },
      { provide: TokenVerifier, useValue: deps.verifier },
      { provide: SHUTDOWN, useValue: deps.shutdown },
      ServerAccess,
    ];
    return {
      module: CoreModule,
      providers,
      exports: providers.map((p) => ('provide' in p ? p.provide : p)),
    };
  }
}

@Module({
  controllers: [
    ServerConditionsController,
    ConditionsController,
    BatchController,
    CancelController,
    OutcomesController,
  ],
  providers: [ConditionsService, CancelService],
})
export class ConditionsModule {}

@Module({ controllers: [OutputController], providers: [OutputService] })
export class OutputModule {}

@Module({ controllers: [CommandsController] })
export class CommandsModule {}

@Module({ controllers: [ServersController] })
export class InventoryModule {}

@Module({ controllers: [HealthController] })
export class HealthModule {}

@Module({})
export class AppModule {
  static register(deps: CoreDeps): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.register(deps),
        ThrottlerModule.forRoot(rateLimitOptions(deps.rateLimitPerMinute)),
        ConditionsModule,
        OutputModule,
        CommandsModule,
        InventoryModule,
        HealthModule,
      ],
      // Global: every controller route needs a token unless marked @Public().
      providers: [{ provide: APP_GUARD, useClass: AuthGuard }],
    };
  }
}

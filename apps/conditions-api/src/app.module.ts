import { DynamicModule, Global, Module } from '@nestjs/common';
import type { Logger } from '@switchboard/logging';
import { AuthService } from './auth/auth.service';
import { BatchController } from './conditions/batch.controller';
import { ConditionsController } from './conditions/conditions.controller';
import { ConditionsService } from './conditions/conditions.service';
import { ServerConditionsController } from './conditions/server-conditions.controller';
import { HealthController } from './health/health.controller';
import { InventoryService } from './inventory/inventory.service';
import { ServersController } from './inventory/servers.controller';
import { NatsLink } from './nats/nats-link';
import { LOGGER } from './tokens';

/** What exists before Nest starts: the NATS link, the loaded inventory, the logger. */
export interface CoreDeps {
  nats: NatsLink;
  inventory: InventoryService;
  logger: Logger;
}

@Global()
@Module({})
export class CoreModule {
  static register(deps: CoreDeps): DynamicModule {
    const providers = [
      { provide: NatsLink, useValue: deps.nats },
      { provide: InventoryService, useValue: deps.inventory },
      { provide: LOGGER, useValue: deps.logger },
      AuthService,
    ];
    return { module: CoreModule, providers, exports: providers.map((p) => ('provide' in p ? p.provide : p)) };
  }
}

@Module({ controllers: [ServerConditionsController, ConditionsController, BatchController], providers: [ConditionsService] })
export class ConditionsModule {}

@Module({ controllers: [ServersController] })
export class InventoryModule {}

@Module({ controllers: [HealthController] })
export class HealthModule {}

@Module({})
export class AppModule {
  static register(deps: CoreDeps): DynamicModule {
    return { module: AppModule, imports: [CoreModule.register(deps), ConditionsModule, InventoryModule, HealthModule] };
  }
}

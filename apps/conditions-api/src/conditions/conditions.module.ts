import { Module } from '@nestjs/common';
import { CommandsModule } from '../commands/commands.module';
import { InventoryModule } from '../inventory/inventory.module';
import { NatsModule } from '../nats/nats.module';
import { BatchController } from './batch.controller';
import { CancelController } from './cancel.controller';
import { CancelService } from './cancel.service';
import { ConditionsController } from './conditions.controller';
import { Idempotency } from './idempotency';
import { ConditionsService } from './conditions.service';
import { OutcomesController } from './outcomes.controller';
import { ServerConditionsController } from './server-conditions.controller';
import { WaitLimits } from './wait-limits';

/** Creating, reading, following and cancelling conditions. */
@Module({
  imports: [NatsModule, InventoryModule, CommandsModule],
  controllers: [
    ServerConditionsController,
    ConditionsController,
    BatchController,
    CancelController,
    OutcomesController,
  ],
  providers: [ConditionsService, CancelService, WaitLimits, Idempotency],
})
export class ConditionsModule {}

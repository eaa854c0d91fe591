import { Module } from '@nestjs/common';
import { InventoryModule } from '../inventory/inventory.module';
import { ServersController } from './servers.controller';

/** GET /servers: the inventory's public view. */
@Module({ imports: [InventoryModule], controllers: [ServersController] })
export class ServersModule {}

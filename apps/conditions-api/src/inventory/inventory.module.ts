import { Module } from '@nestjs/common';
import { InventoryService } from './inventory.service';

/** The inventory file, loaded at start and reloaded when it changes. */
@Module({ providers: [InventoryService], exports: [InventoryService] })
export class InventoryModule {}

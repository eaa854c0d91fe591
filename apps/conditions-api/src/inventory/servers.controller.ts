import { Controller, Get } from '@nestjs/common';
import { InventoryService } from './inventory.service';

/** GET /api/v1/servers: what any client may see of the inventory (never BMC details or secrets). */
@Controller('servers')
export class ServersController {
  constructor(private readonly inventory: InventoryService) {}

  @Get()
  list() {
    const servers = this.inventory.current().toPublicView();
    return { message: `${servers.length} server${servers.length === 1 ? '' : 's'} in the inventory`, records: servers };
  }
}

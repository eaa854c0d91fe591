import { Controller, Get } from '@nestjs/common';
import { Scopes } from '../auth/decorators';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ServerAccess } from '../auth/server-access';
import { InventoryService } from './inventory.service';

/**
 * GET /api/v1/servers: what a client may see of the inventory (never BMC details or
 * secrets); a token restricted by a `servers` claim sees only those servers.
 */
@Controller('servers')
export class ServersController {
  constructor(
    private readonly inventory: InventoryService,
    private readonly access: ServerAccess,
  ) {}

  @Get()
  @Scopes('read')
  list(@CurrentPrincipal() principal: Principal) {
    const servers = this.access.filter(principal, this.inventory.current().toPublicView());
    return {
      message: `${servers.length} server${servers.length === 1 ? '' : 's'} in the inventory`,
      records: servers,
    };
  }
}

import { Controller, Get } from '@nestjs/common';
import { Scopes } from '../auth/decorators';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ServerAccess } from '../auth/server-access';
import { Documented } from '../openapi/answers';
import { InventoryService } from '../inventory/inventory.service';

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
  @Documented(
    'listServers',
    'The inventory, public view',
    {
      200: {
        description: 'The servers.',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['message', 'records'],
              properties: {
                message: { type: 'string' },
                records: {
                  type: 'array',
                  description:
                    'PublicServer entries of @switchboard/inventory: name, id, platform, ' +
                    'driver, ranks, groups. Never BMC details or secrets.',
                  items: { type: 'object' },
                },
              },
            },
          },
        },
      },
    },
    { description: 'A token with a `servers` claim sees only those servers.' },
  )
  list(@CurrentPrincipal() principal: Principal) {
    const servers = this.access.filter(principal, this.inventory.current().toPublicView());
    return {
      message: `${servers.length} server${servers.length === 1 ? '' : 's'} in the inventory`,
      records: servers,
    };
  }
}

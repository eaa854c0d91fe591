import { Controller, Delete, Param, Post } from '@nestjs/common';
import { Scopes } from '../auth/decorators';
import { ApiError } from '../errors/api-error';
import { Documented } from '../openapi/answers';
import { quote } from '../text/clip';

const notServed = (route: string, what: string): never => {
  throw ApiError.of(
    501,
    `${route} is a conditionorc route that Switchboard does not serve (${what}); ` +
      'Switchboard serves serverControl and action conditions',
    { code: 'not_implemented' },
  );
};

const documented = (operationId: string, summary: string) =>
  Documented(operationId, `conditionorc's ${summary}: not served`, {
    501: 'Switchboard does not serve this conditionorc route.',
  });

/**
 * conditionorc's routes that Switchboard does not serve (conditionorc
 * pkg/api/v1/conditions/routes/routes.go): a clear 501 in the error shape, so a client built
 * for conditionorc learns why instead of reading "route not found".
 */
@Controller()
export class UnservedController {
  @Post('servers/:server/firmwareInstall')
  @Scopes('read')
  @documented('firmwareInstall', 'firmware install')
  firmwareInstall(@Param('server') server: string): never {
    return notServed(`POST /servers/${quote(server)}/firmwareInstall`, 'firmware installs');
  }

  @Post('servers/:server/biosControl')
  @Scopes('read')
  @documented('biosControl', 'BIOS control')
  biosControl(@Param('server') server: string): never {
    return notServed(`POST /servers/${quote(server)}/biosControl`, 'BIOS settings');
  }

  @Delete('servers/:server')
  @Scopes('read')
  @documented('serverDelete', 'server delete')
  serverDelete(@Param('server') server: string): never {
    return notServed(`DELETE /servers/${quote(server)}`, 'the inventory file is the fleet');
  }

  @Post('serverEnroll/:server')
  @Scopes('read')
  @documented('serverEnrollWithId', 'server enroll')
  serverEnrollWithId(@Param('server') server: string): never {
    return notServed(`POST /serverEnroll/${quote(server)}`, 'the inventory file is the fleet');
  }

  @Post('serverEnroll')
  @Scopes('read')
  @documented('serverEnroll', 'server enroll')
  serverEnroll(): never {
    return notServed('POST /serverEnroll', 'the inventory file is the fleet');
  }

  @Post('validateFirmware')
  @Scopes('read')
  @documented('validateFirmware', 'firmware validation')
  validateFirmware(): never {
    return notServed('POST /validateFirmware', 'firmware validation');
  }

  @Post('serverProvision')
  @Scopes('read')
  @documented('serverProvision', 'server provision')
  serverProvision(): never {
    return notServed('POST /serverProvision', 'provisioning');
  }
}

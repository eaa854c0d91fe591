import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { readJwtSecret } from '@switchboard/auth';
import type { ApiOptions } from '../core/api-options';
import { API_OPTIONS } from '../core/tokens';
import { InventoryModule } from '../inventory/inventory.module';
import { AuthGuard } from './auth.guard';
import { ServerAccess } from './server-access';
import { TokenVerifier } from './token-verifier';

/**
 * Tokens and what they allow. The verifier is built with the module, before any module
 * initialises: an API that cannot verify tokens stops before it reads anything or connects.
 * The guard is global: every route needs a token unless marked @Public().
 */
@Global()
@Module({
  imports: [InventoryModule],
  providers: [
    {
      provide: TokenVerifier,
      inject: [API_OPTIONS],
      useFactory: (options: ApiOptions) =>
        options.jwtSecret === undefined
          ? new TokenVerifier(readJwtSecret(process.env), 'the environment')
          : new TokenVerifier(options.jwtSecret, 'createApp options'),
    },
    ServerAccess,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [ServerAccess],
})
export class AuthModule {}

import { SetMetadata } from '@nestjs/common';
import type { Scope } from '@switchboard/auth';

export const IS_PUBLIC = 'switchboard:auth:public';
export const REQUIRED_SCOPES = 'switchboard:auth:scopes';
export const SERVER_PARAM = 'switchboard:auth:server-param';

/**
 * The route answers without a token (probes). Everything else needs one: the guard fails closed.
 */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/**
 * Scopes the token must hold (each one; `admin` holds them all). A route that names none
 * requires `admin`, so a route added without thinking about access is not left open.
 */
export const Scopes = (...scopes: [Scope, ...Scope[]]) => SetMetadata(REQUIRED_SCOPES, scopes);

/**
 * The path parameter `param` names the server the route acts on (name or id): a token
 * whose `servers` claim does not cover it is refused before the handler runs.
 */
export const ActsOnServer = (param = 'server') => SetMetadata(SERVER_PARAM, param);

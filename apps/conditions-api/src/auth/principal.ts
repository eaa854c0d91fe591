import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Scope } from '@switchboard/auth';

/** Who a verified token speaks for, and what it allows. */
export interface Principal {
  /** The token's `sub`: recorded as `requestedBy` on every condition it creates. */
  subject: string;
  scopes: ReadonlySet<Scope>;
  /** The token's `servers` claim (a range/group expression), when it restricts the token. */
  servers?: string;
  expiresAt: Date;
}

const principals = new WeakMap<object, Principal>();

export function setPrincipal(request: FastifyRequest, principal: Principal): void {
  principals.set(request, principal);
}

/** The principal the auth guard attached to the request, if it got that far. */
export function principalOf(request: FastifyRequest): Principal | undefined {
  return principals.get(request);
}

/**
 * The verified caller, as a handler parameter. Throws when there is none: a handler of a
 * public route asking for one is a wiring mistake, and must not run as nobody.
 */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const principal = principalOf(context.switchToHttp().getRequest<FastifyRequest>());
    if (!principal)
      throw new Error('no authenticated principal on this request: is the route marked @Public()?');
    return principal;
  },
);

import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error';
import { clip } from '../text/clip';
import { noteRequest } from '../logging/request-log';
import { bearerToken } from './bearer';
import { IS_PUBLIC, REQUIRED_SCOPES, SERVER_PARAM } from './decorators';
import { Principal, setPrincipal } from './principal';
import { Scope, missingScope } from '@switchboard/auth';
import { ServerAccess } from './server-access';
import { TokenRefused, TokenVerifier } from './token-verifier';

const REALM = 'Bearer realm="switchboard"';

/**
 * Every route's door: 401 without a valid token, 403 without the route's scope or, for a
 * route that acts on a server, when the token's `servers` claim does not cover it. It runs
 * before pipes, so nothing of an unauthorised request is validated, echoed or queued.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
    private readonly access: ServerAccess,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();

    // Noted before the token is checked: the audit line of a refusal names its target too.
    const param = this.reflector.getAllAndOverride<string | undefined>(SERVER_PARAM, targets);
    const server =
      param === undefined
        ? undefined
        : (request.params as Record<string, string | undefined>)[param];
    if (server !== undefined) noteRequest(request, { servers: clip(server, 100) });

    const principal = this.authenticate(request, reply);
    setPrincipal(request, principal);
    noteRequest(request, { who: principal.subject });

    const needed = this.reflector.getAllAndOverride<Scope[] | undefined>(
      REQUIRED_SCOPES,
      targets,
    ) ?? ['admin'];
    const missing = missingScope(principal.scopes, needed);
    if (missing) {
      void reply.header(
        'www-authenticate',
        `${REALM}, error="insufficient_scope", scope="${missing}"`,
      );
      throw ApiError.of(403, `token lacks scope ${missing}`);
    }
    if (server !== undefined) this.access.requireServer(principal, server);
    return true;
  }

  private authenticate(request: FastifyRequest, reply: FastifyReply): Principal {
    try {
      return this.verifier.verify(bearerToken(request.headers.authorization));
    } catch (err) {
      if (!(err instanceof TokenRefused)) throw err;
      const invalid = request.headers.authorization ? ', error="invalid_token"' : '';
      void reply.header('www-authenticate', `${REALM}${invalid}`);
      throw ApiError.of(401, err.reason);
    }
  }
}

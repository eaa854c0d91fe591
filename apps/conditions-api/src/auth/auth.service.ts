import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * Who is asking. There is NO authentication yet: every request is accepted and recorded
 * as requested by "anonymous". JWT verification is a later issue and belongs here, and
 * only here: `subjectFor` will verify the bearer token and return its subject (or throw
 * 401), and every caller already takes `requestedBy` from this method.
 */
@Injectable()
export class AuthService {
  subjectFor(_request: FastifyRequest): string {
    return 'anonymous';
  }
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@switchboard/logging';
import { clip } from '../errors/api-error';

/**
 * What the guard and the handler learnt about a request, logged once with its outcome.
 * Never a body, a header or a token: only what is named here, and free text clipped.
 */
export interface RequestNote {
  /** Token subject; "anonymous" until a token is verified. */
  who?: string;
  kind?: string;
  /** serverControl action (and its parameter) or action command; see `actionOf`. */
  action?: string;
  /** The server, or the servers of a batch folded into one range expression. */
  servers?: string;
  /** A batch's target expression as written. */
  targets?: string;
  conditionId?: string;
  outcome?: string;
  reason?: string;
  [field: string]: unknown;
}

const notes = new WeakMap<object, RequestNote>();

/** Adds fields to the request's log line (merged; later notes win). */
export function noteRequest(request: FastifyRequest, note: RequestNote): void {
  notes.set(request, { ...notes.get(request), ...note });
}

const quietPaths = new Set(['/healthz', '/readyz']);

/**
 * The audit log: one line per request, accepted or refused, written when the answer has
 * gone out. Who (token subject or "anonymous"), what (method, route pattern, path, kind,
 * action), which servers, the status and outcome, and the reason of a refusal.
 */
export function installRequestLog(fastify: FastifyInstance, log: Logger): void {
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const path = request.url.split('?')[0] ?? request.url;
    const status = reply.statusCode;
    const note = notes.get(request) ?? {};
    const outcome = note.outcome ?? (status < 400 ? 'ok' : 'error');
    const line = {
      event: 'http.request',
      reqId: request.id,
      who: 'anonymous',
      method: request.method,
      // The route pattern (/api/v1/servers/:server/status) groups requests; unmatched paths have none.
      route: request.routeOptions.url ?? null,
      path: clip(path, 200),
      status,
      ms: Math.round(reply.elapsedTime * 10) / 10,
      ...note,
      outcome,
    };
    if (status >= 500) log.error(line, `${request.method} ${line.path} ${status} ${outcome}`);
    else if (quietPaths.has(path) && status < 400) log.debug(line, `${request.method} ${line.path} ${status}`);
    else log.info(line, `${request.method} ${line.path} ${status} ${outcome}`);
    done();
  });
}

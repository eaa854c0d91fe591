import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@switchboard/logging';
import { clip } from '../errors/api-error';

/** What a handler learnt about a request, logged once with its outcome. Never a body. */
export interface RequestNote {
  server?: string;
  kind?: string;
  conditionId?: string;
  outcome?: string;
  requestedBy?: string;
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
 * One log line per request, written when the answer has gone out: method, path, status,
 * time, and what the handler noted (condition id, server, kind, outcome).
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
      method: request.method,
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

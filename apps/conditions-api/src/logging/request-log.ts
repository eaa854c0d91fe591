import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@switchboard/logging';
import { clip } from '../text/clip';

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
 * gone out, or when the connection closed before it had (a client leaving a streamed
 * answer, a stream cut at shutdown: `unfinished: true`, and a `null` status when nothing
 * was sent at all).
 * Who (token subject or "anonymous"), what (method, route pattern, path, kind, action),
 * which servers, the status and outcome, and the reason of a refusal.
 */
export function installRequestLog(fastify: FastifyInstance, log: Logger): void {
  const logged = new WeakSet<object>();
  const write = (request: FastifyRequest, reply: FastifyReply, unfinished: boolean) => {
    if (logged.has(request)) return;
    logged.add(request);
    const path = request.url.split('?')[0] ?? request.url;
    const status = unfinished && !reply.raw.headersSent ? null : reply.statusCode;
    const note = notes.get(request) ?? {};
    const outcome =
      note.outcome ??
      (unfinished ? 'disconnected' : status !== null && status < 400 ? 'ok' : 'error');
    const line = {
      event: 'http.request',
      reqId: request.id,
      who: 'anonymous',
      method: request.method,
      // The route pattern (/api/v1/servers/:server/status) groups requests; unmatched paths have
      // none.
      route: request.routeOptions.url ?? null,
      path: clip(path, 200),
      status,
      ms: Math.round(reply.elapsedTime * 10) / 10,
      ...note,
      outcome,
      ...(unfinished ? { unfinished } : {}),
    };
    const shown = status ?? '-';
    if (status !== null && status >= 500)
      log.error(line, `${request.method} ${line.path} ${shown} ${outcome}`);
    else if (quietPaths.has(path) && status !== null && status < 400)
      log.debug(line, `${request.method} ${line.path} ${shown}`);
    else log.info(line, `${request.method} ${line.path} ${shown} ${outcome}`);
  };
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    // Fastify's onResponse runs on 'finish' only: a connection closed mid-answer would go unlogged.
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) write(request, reply, true);
    });
    done();
  });
  fastify.addHook(
    'onResponse',
    (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      write(request, reply, false);
      done();
    },
  );
}

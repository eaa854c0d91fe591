import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** The longest the HTTP close waits for answers in progress once the API stops. */
export const CLOSE_GRACE_MS = 3000;

/**
 * Lets the HTTP server's close end promptly:
 * - Answers sent once the API has begun to stop say `Connection: close`. Otherwise the client
 *   keeps the connection alive and the server's close waits for it to idle out (72 s): a long
 *   poll answered at shutdown would hold the API up that long. A streamed answer whose head
 *   went out before (GET /outcomes) closes its connection itself when it ends.
 * - Connections that carry no request when the close begins are dropped then, and the others as
 *   soon as the last answer in progress is sent (at most CLOSE_GRACE_MS later). Node's close
 *   only drops idle kept-alive connections: one a client opened and sent nothing on (fetch opens
 *   such spares after aborted requests) would hold it until the headers timeout, a minute.
 */
export function closeConnectionsOnShutdown(fastify: FastifyInstance, shutdown: AbortSignal): void {
  fastify.addHook('onSend', async (_request, reply, payload) => {
    if (shutdown.aborted) void reply.header('connection', 'close');
    return payload;
  });

  const server = fastify.server;
  let answering = 0;
  let closing = false;
  const closeAll = () => server.closeAllConnections();
  server.on('request', (_request, response) => {
    answering++;
    response.once('close', () => {
      answering--;
      // After the answer's last bytes were handed to the socket.
      if (closing && answering === 0) setImmediate(closeAll);
    });
  });
  const refuse = (socket: Socket) => {
    if (closing) socket.destroy();
  };
  server.on('connection', refuse);
  server.on('secureConnection', refuse);
  fastify.addHook('preClose', async () => {
    closing = true;
    if (answering === 0) closeAll();
    setTimeout(closeAll, CLOSE_GRACE_MS).unref();
  });
}

import type { FastifyInstance } from 'fastify';

/**
 * Answers sent once the API has begun to stop say `Connection: close`. Otherwise the client
 * keeps the connection alive and the server's close waits for it to idle out (72 s): a long
 * poll answered at shutdown would hold the API up that long. A streamed answer whose head
 * went out before (GET /outcomes) closes its connection itself when it ends.
 */
export function closeConnectionsOnShutdown(fastify: FastifyInstance, shutdown: AbortSignal): void {
  fastify.addHook('onSend', async (_request, reply, payload) => {
    if (shutdown.aborted) void reply.header('connection', 'close');
    return payload;
  });
}
